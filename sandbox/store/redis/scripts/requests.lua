-- KEYS count; ARGV window ms. The rate limit's fixed window, on Redis's clock: counts one request
-- (the first opens the window, which expires with the key) and answers {count, ms until it closes}.
local counted = redis.call('INCR', KEYS[1])
local left = redis.call('PTTL', KEYS[1])
if counted == 1 or left < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  left = tonumber(ARGV[1])
end
return {counted, left}
