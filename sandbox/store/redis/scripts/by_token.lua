-- KEYS tokens, h:escrows; ARGV the payment token. Answers {escrow id, escrow JSON} or {}.
local id = redis.call('HGET', KEYS[1], ARGV[1])
if not id then return {} end
return {id, redis.call('HGET', KEYS[2], id) or ''}
