-- KEYS[1] lock, KEYS[2] rev, KEYS[3] seq, then every key the commands name (by index).
-- ARGV[1] fence token, ARGV[2] release (1/0), ARGV[3] TTL ms, then commands: op, key index,
-- argument count, arguments.
if redis.call('GET', KEYS[1]) ~= ARGV[1] then
  return redis.error_reply('FENCED the namespace lock was lost')
end
local i, wrote, written = 4, false, {}
while i <= #ARGV do
  local op, key, n = ARGV[i], KEYS[tonumber(ARGV[i + 1])], tonumber(ARGV[i + 2])
  local a = {}
  for j = 1, n do a[j] = ARGV[i + 2 + j] end
  i = i + 3 + n
  if op == 'ZADDSEQ' then
    if not redis.call('ZSCORE', key, a[1]) then
      redis.call('ZADD', key, redis.call('INCR', KEYS[3]), a[1])
      written[KEYS[3]] = true
    end
  elseif op == 'COPY' then
    local target = KEYS[tonumber(a[1])]
    redis.call('DEL', target)
    redis.call('COPY', key, target)
    key = target
  elseif op == 'PEXPIRE' then
    redis.call('PEXPIRE', key, ARGV[3])
    key = nil
  elseif op == 'HSET' or op == 'HDEL' or op == 'ZREM' or op == 'RPUSH' or op == 'HINCRBY'
      or op == 'SET' or op == 'DEL' then
    redis.call(op, key, unpack(a))
  else
    return redis.error_reply('unknown op ' .. op)
  end
  if key then written[key] = true; wrote = true end
end
local rev = tonumber(redis.call('GET', KEYS[2]) or '0')
if wrote then
  rev = redis.call('INCR', KEYS[2])
  written[KEYS[2]] = true
end
if tonumber(ARGV[3]) > 0 then
  for k in pairs(written) do redis.call('PEXPIRE', k, ARGV[3]) end
end
if ARGV[2] == '1' then redis.call('DEL', KEYS[1]) end
return rev
