-- KEYS jseq, journal, jdrop; ARGV entry JSON without its id, capacity, TTL ms. Appends the next
-- id and the entry (the journal list holds two items per entry) and answers the id.
local id = redis.call('INCR', KEYS[1])
local capacity = tonumber(ARGV[2])
if redis.call('RPUSH', KEYS[2], id, ARGV[1]) > 2 * capacity then
  redis.call('LTRIM', KEYS[2], -2 * capacity, -1)
  redis.call('INCR', KEYS[3])
end
for i = 1, 3 do redis.call('PEXPIRE', KEYS[i], ARGV[3]) end
return id
