-- KEYS: conv, queue, assigned, agent. ARGV: id, counsellor, now, ack_deadline, capacity
local state = redis.call('HGET', KEYS[1], 'state') or 'bot'
if state == 'assigned' then return {'taken', redis.call('HGET', KEYS[1], 'counsellor')} end
if state ~= 'queued' then return {'not_queued', state} end
if redis.call('SCARD', KEYS[4]) >= tonumber(ARGV[5]) then return {'capacity', ''} end
redis.call('HSET', KEYS[1], 'state', 'assigned', 'counsellor', ARGV[2], 'claimed_at', ARGV[3],
           'ack_deadline', ARGV[4], 'acked', '0')
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('SADD', KEYS[3], ARGV[1])
redis.call('SADD', KEYS[4], ARGV[1])
local greeted = redis.call('HGET', KEYS[1], 'greeted')
redis.call('HSET', KEYS[1], 'greeted', '1')
return {'ok', greeted}
