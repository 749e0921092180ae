-- KEYS o:<kind>; ARGV cap, how many of the oldest this operation dropped already, then the ids
-- of buffered entities that may be new. Answers {how many to drop, the stored ids to drop next
-- (oldest first)}: when the stored run out, the rest are the oldest of the new ones.
local new = 0
for i = 3, #ARGV do
  if not redis.call('ZSCORE', KEYS[1], ARGV[i]) then new = new + 1 end
end
local offset = tonumber(ARGV[2])
local excess = redis.call('ZCARD', KEYS[1]) - offset + new - tonumber(ARGV[1])
if excess <= 0 then return {0, {}} end
return {excess, redis.call('ZRANGE', KEYS[1], offset, offset + excess - 1)}
