-- KEYS jn, jlog; ARGV entry JSON without its id, capacity, TTL ms. Appends the entry and answers
-- its id: the count of entries ever appended (jn). The list holds the entries alone, so the id of
-- its i-th item (from 0) is jn - (length - 1 - i); the oldest fall off past the capacity.
-- (On one Redis, transaction.py does the same in MULTI/EXEC.)
local id = redis.call('INCR', KEYS[1])
if redis.call('RPUSH', KEYS[2], ARGV[1]) > tonumber(ARGV[2]) then
  redis.call('LTRIM', KEYS[2], -tonumber(ARGV[2]), -1)
end
for i = 1, 2 do redis.call('PEXPIRE', KEYS[i], ARGV[3]) end
return id
