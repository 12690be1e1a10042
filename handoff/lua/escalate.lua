-- Into the queue, or a higher priority for a case already there.
-- KEYS: conv, queue. ARGV: id, priority, now, contact, channel, sender, trigger
local state = redis.call('HGET', KEYS[1], 'state') or 'bot'
local rank = {critical=0, high=1, normal=2}
if state == 'bot' then
  redis.call('HSET', KEYS[1], 'state', 'queued', 'priority', ARGV[2], 'queued_at', ARGV[3], 'contact', ARGV[4],
             'channel', ARGV[5], 'sender', ARGV[6], 'trigger', ARGV[7], 'returned', '0', 'alerted', '0',
             'greeted', '0', 'acked', '0', 'counsellor', '', 'survey', '')
  redis.call('ZADD', KEYS[2], ARGV[3], ARGV[1])
  return {'queued', ARGV[4]}
end
local current = redis.call('HGET', KEYS[1], 'priority') or 'normal'
if rank[ARGV[2]] < rank[current] then
  redis.call('HSET', KEYS[1], 'priority', ARGV[2])
  return {'raised', redis.call('HGET', KEYS[1], 'contact')}
end
return {'unchanged', redis.call('HGET', KEYS[1], 'contact') or ''}
