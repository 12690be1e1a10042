-- A supervisor's take-over or reassignment, from the queue or from another counsellor.
-- KEYS: conv, queue, assigned, from agent, to agent.
-- ARGV: id, expected current counsellor ('' when queued), to, now, ack_deadline
local state = redis.call('HGET', KEYS[1], 'state') or 'bot'
local current = redis.call('HGET', KEYS[1], 'counsellor') or ''
if state == 'bot' then return {'not_queued', ''} end
if current ~= ARGV[2] then return {'changed', current} end
redis.call('ZREM', KEYS[2], ARGV[1])
if current ~= '' then redis.call('SREM', KEYS[4], ARGV[1]) end
redis.call('HSET', KEYS[1], 'state', 'assigned', 'counsellor', ARGV[3], 'acked', '0', 'ack_deadline', ARGV[5])
if state == 'queued' then redis.call('HSET', KEYS[1], 'claimed_at', ARGV[4]) end
redis.call('SADD', KEYS[3], ARGV[1])
redis.call('SADD', KEYS[5], ARGV[1])
local greeted = redis.call('HGET', KEYS[1], 'greeted')
redis.call('HSET', KEYS[1], 'greeted', '1')
return {'ok', greeted}
