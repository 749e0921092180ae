-- The start of an operation (namespace.py `_start`; readahead.py makes the plan).
-- KEYS lock, meta, rev, seq, then the keys the reads ahead name; ARGV fence token ('' for a
-- lock-free read: no lock taken), lock ms, then per read ahead a letter and its field:
--   h key field           HGET (an entity's text, or a balance)             -> text or ''
--   t tokens escrows tok  the escrow a payment token names                  -> id or '', text or ''
--   c order cap           ZCARD, and the oldest ids when within 8 of the cap -> count, {ids}
-- Answers {1, meta or '', revision, insertion counter (0 in a lock-free read: it writes nothing),
-- the reads' answers in order}, or {0} when another holder has the lock (nothing read).
if ARGV[1] ~= '' and not redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
  return {0}
end
local out = {1, redis.call('GET', KEYS[2]) or '', redis.call('GET', KEYS[3]) or '0',
             ARGV[1] ~= '' and redis.call('GET', KEYS[4]) or '0'}
local k = 5
for i = 3, #ARGV, 2 do
  local op, field = ARGV[i], ARGV[i + 1]
  if op == 'h' then
    out[#out + 1] = redis.call('HGET', KEYS[k], field) or ''
    k = k + 1
  elseif op == 't' then
    local id = redis.call('HGET', KEYS[k], field)
    out[#out + 1] = id or ''
    out[#out + 1] = id and (redis.call('HGET', KEYS[k + 1], id) or '') or ''
    k = k + 2
  elseif op == 'c' then
    local count = redis.call('ZCARD', KEYS[k])
    out[#out + 1] = count
    if count + 8 > tonumber(field) then
      out[#out + 1] = redis.call('ZRANGE', KEYS[k], 0, 7)
    else
      out[#out + 1] = {}
    end
    k = k + 1
  else
    return redis.error_reply('unknown read ' .. op)
  end
end
return out
