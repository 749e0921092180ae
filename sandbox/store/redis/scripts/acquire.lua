-- KEYS lock, meta, rev; ARGV fence token, lock ms. Takes the namespace lock (SET NX PX) and answers
-- {1, meta JSON, revision} in the same round trip, or {0} when another holder has it.
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
  return {1, redis.call('GET', KEYS[2]) or '', redis.call('GET', KEYS[3]) or '0'}
end
return {0}
