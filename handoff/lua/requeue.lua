-- Back to the head of its priority. KEYS: conv, queue, assigned, agent.
-- ARGV: id, counsellor (must hold it)
if redis.call('HGET', KEYS[1], 'state') ~= 'assigned' or redis.call('HGET', KEYS[1], 'counsellor') ~= ARGV[2] then
  return {'not_yours', ''}
end
redis.call('HSET', KEYS[1], 'state', 'queued', 'counsellor', '', 'returned', '1', 'acked', '0')
redis.call('ZADD', KEYS[2], redis.call('HGET', KEYS[1], 'queued_at'), ARGV[1])
redis.call('SREM', KEYS[3], ARGV[1])
redis.call('SREM', KEYS[4], ARGV[1])
return {'ok', redis.call('HGET', KEYS[1], 'contact')}
