-- KEYS jn, jcut, jlog. The journal in one consistent read: {entries ever appended, their count
-- when it was last cleared, the entries (oldest first)} (journal.lua says how ids follow).
return {redis.call('GET', KEYS[1]) or '0', redis.call('GET', KEYS[2]) or '0', redis.call('LRANGE', KEYS[3], 0, -1)}
