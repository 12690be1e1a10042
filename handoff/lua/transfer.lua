-- KEYS: conv, from agent, to agent. ARGV: id, from, to, ack_deadline, capacity
if redis.call('HGET', KEYS[1], 'state') ~= 'assigned' or redis.call('HGET', KEYS[1], 'counsellor') ~= ARGV[2] then
  return {'not_yours', ''}
end
if redis.call('SCARD', KEYS[3]) >= tonumber(ARGV[5]) then return {'capacity', ''} end
redis.call('HSET', KEYS[1], 'counsellor', ARGV[3], 'acked', '0', 'ack_deadline', ARGV[4])
redis.call('SREM', KEYS[2], ARGV[1])
redis.call('SADD', KEYS[3], ARGV[1])
return {'ok', redis.call('HGET', KEYS[1], 'contact')}
