-- A collection's reads that would take two or three round trips, in one (namespace.py).
-- KEYS o:<kind>, h:<kind>, sum:<kind>; ARGV a mode, then its arguments:
--   page start stop   -> {count, {ids newest first, start..stop}, {their texts}}
--   summaries         -> {{ids in insertion order}, {id, summary, id, summary, ...}}
if ARGV[1] == 'page' then
  local ids = redis.call('ZREVRANGE', KEYS[1], ARGV[2], ARGV[3])
  local texts = {}
  if #ids > 0 then texts = redis.call('HMGET', KEYS[2], unpack(ids)) end
  return {redis.call('ZCARD', KEYS[1]), ids, texts}
end
return {redis.call('ZRANGE', KEYS[1], 0, -1), redis.call('HGETALL', KEYS[3])}
