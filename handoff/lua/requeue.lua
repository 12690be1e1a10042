-- Back to the head of its priority. KEYS: conv, queue, assigned, agent.
-- ARGV: id, counsellor (must hold it)
-- A person told a counsellor had joined (greeted = '1') is now owed the truth: greeted becomes
-- 'left', so the next counsellor says they continue, and nobody says "still looking".
if redis.call('HGET', KEYS[1], 'state') ~= 'assigned' or redis.call('HGET', KEYS[1], 'counsellor') ~= ARGV[2] then
  return {'not_yours', '', ''}
end
local greeted = redis.call('HGET', KEYS[1], 'greeted') or ''
redis.call('HSET', KEYS[1], 'state', 'queued', 'counsellor', '', 'returned', '1', 'acked', '0')
if greeted == '1' then redis.call('HSET', KEYS[1], 'greeted', 'left') end
redis.call('ZADD', KEYS[2], redis.call('HGET', KEYS[1], 'queued_at'), ARGV[1])
redis.call('SREM', KEYS[3], ARGV[1])
redis.call('SREM', KEYS[4], ARGV[1])
return {'ok', redis.call('HGET', KEYS[1], 'contact'), greeted}
