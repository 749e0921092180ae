-- KEYS a console session (sandbox/store/redis/sessions.py); ARGV a flash (JSON), how many to keep.
-- Appends the flash to a live session's list, keeping the newest. A session that expired or ended
-- stays gone (nothing is created), and a live one keeps its expiry (HSET leaves the TTL alone).
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local flashes = cjson.decode(redis.call('HGET', KEYS[1], 'flashes') or '[]')
table.insert(flashes, cjson.decode(ARGV[1]))
while #flashes > tonumber(ARGV[2]) do table.remove(flashes, 1) end
redis.call('HSET', KEYS[1], 'flashes', cjson.encode(flashes))
return 1
