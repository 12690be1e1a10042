-- KEYS: conv. ARGV: counsellor
if redis.call('HGET', KEYS[1], 'state') == 'assigned' and redis.call('HGET', KEYS[1], 'counsellor') == ARGV[1] then
  redis.call('HSET', KEYS[1], 'acked', '1')
  return 1
end
return 0
