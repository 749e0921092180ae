-- KEYS jseq, journal, jdrop; ARGV entry JSON without its id, capacity, TTL ms. Answers the id.
local id = redis.call('INCR', KEYS[1])
local rest = string.sub(ARGV[1], 2)
if rest ~= '}' then rest = ',' .. rest end
redis.call('RPUSH', KEYS[2], '{"id":' .. id .. rest)
if redis.call('LLEN', KEYS[2]) > tonumber(ARGV[2]) then
  redis.call('LTRIM', KEYS[2], -tonumber(ARGV[2]), -1)
  redis.call('INCR', KEYS[3])
end
for i = 1, 3 do redis.call('PEXPIRE', KEYS[i], ARGV[3]) end
return id
