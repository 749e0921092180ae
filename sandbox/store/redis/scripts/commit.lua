-- The commit of one operation (sandbox/store/redis/commit.py builds the call).
-- KEYS[1] lock, KEYS[2] rev, KEYS[3] seq, then every key the commands name (by index).
-- ARGV[1] fence token, ARGV[2] release (1/0), ARGV[3] TTL ms, then commands, each an op letter,
-- a key index and the op's fixed arguments:
--   H key field value  HSET        D key field  HDEL      Z key member score  ZADD NX
--   R key member       ZREM        P key value  RPUSH     I key field n  HINCRBY
--   S key value        SET + TTL   X key        DEL       C key target  COPY (DEL target first)
--   E key              PEXPIRE     K key        the key exists (and has its TTL): no PEXPIRE
--   J journal jseq jdrop capacity entry  the request's journal entry
--                                  (the journal list holds each entry's id, then its JSON)
-- A write that may have created its key gives it the TTL (a new hash field, a new member, a new
-- list, a new counter) unless K said the key exists; every key of the namespace gets it again at
-- least every TOUCH_SECONDS (E). The insertion counter (seq) is the worker's: it read it with the
-- lock, numbers new members (Z) and sets it (S).
-- Answers {revision, journal entry id or 0, seq after a copy (C) or -1}.
if redis.call('GET', KEYS[1]) ~= ARGV[1] then
  return redis.error_reply('FENCED the namespace lock was lost')
end
local ttl = tonumber(ARGV[3])
local expire = ttl > 0
local fresh = {}
local function created(key)
  if expire and not fresh[key] then
    fresh[key] = true
    redis.call('PEXPIRE', key, ttl)
  end
end
local i, n, wrote, journal, copied = 4, #ARGV, false, 0, false
while i <= n do
  local op, key = ARGV[i], KEYS[tonumber(ARGV[i + 1])]
  if op == 'H' then
    if redis.call('HSET', key, ARGV[i + 2], ARGV[i + 3]) == 1 then created(key) end
    i = i + 4
  elseif op == 'Z' then
    if redis.call('ZADD', key, 'NX', ARGV[i + 3], ARGV[i + 2]) == 1 then created(key) end
    i = i + 4
  elseif op == 'K' then
    fresh[key] = true
    i = i + 2
  elseif op == 'D' then
    redis.call('HDEL', key, ARGV[i + 2])
    i = i + 3
  elseif op == 'R' then
    redis.call('ZREM', key, ARGV[i + 2])
    i = i + 3
  elseif op == 'P' then
    if redis.call('RPUSH', key, ARGV[i + 2]) == 1 then created(key) end
    i = i + 3
  elseif op == 'I' then
    if redis.call('HINCRBY', key, ARGV[i + 2], ARGV[i + 3]) == tonumber(ARGV[i + 3]) then created(key) end
    i = i + 4
  elseif op == 'S' then
    if expire then redis.call('SET', key, ARGV[i + 2], 'PX', ttl) else redis.call('SET', key, ARGV[i + 2]) end
    fresh[key] = true
    i = i + 3
  elseif op == 'X' then
    redis.call('DEL', key)
    i = i + 2
  elseif op == 'C' then
    local target = KEYS[tonumber(ARGV[i + 2])]
    redis.call('DEL', target)
    redis.call('COPY', key, target)
    created(target)
    copied = true
    i = i + 3
  elseif op == 'E' then
    if expire and redis.call('PEXPIRE', key, ttl) == 1 then fresh[key] = true end
    i = i + 2
  elseif op == 'J' then
    local jseq, jdrop, capacity = KEYS[tonumber(ARGV[i + 2])], KEYS[tonumber(ARGV[i + 3])], tonumber(ARGV[i + 4])
    journal = redis.call('INCR', jseq)
    if journal == 1 then created(jseq) end
    local length = redis.call('RPUSH', key, journal, ARGV[i + 5])  -- id, entry: two items each
    if length == 2 then created(key) end
    if length > 2 * capacity then
      redis.call('LTRIM', key, -2 * capacity, -1)
      if redis.call('INCR', jdrop) == 1 then created(jdrop) end
    end
    i = i + 6
  else
    return redis.error_reply('unknown op ' .. op)
  end
  if op ~= 'E' and op ~= 'J' and op ~= 'K' then wrote = true end
end
local rev
if wrote then
  rev = redis.call('INCR', KEYS[2])
  if rev == 1 then created(KEYS[2]) end
else
  rev = tonumber(redis.call('GET', KEYS[2]) or '0')
end
if ARGV[2] == '1' then redis.call('DEL', KEYS[1]) end
return {rev, journal, copied and tonumber(redis.call('GET', KEYS[3]) or '0') or -1}
