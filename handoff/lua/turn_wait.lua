-- KEYS: turn. ARGV: ticket, now, lease, grace. 1: go; 0: wait.
local ticket, now = tonumber(ARGV[1]), tonumber(ARGV[2])
local served = tonumber(redis.call('HGET', KEYS[1], 'served') or '0')
local deadline = tonumber(redis.call('HGET', KEYS[1], 'deadline') or '0')
if served + 1 < ticket and now > deadline then
  -- the current turn is forfeit: its gateway died or overran the lease
  served = served + 1
  deadline = now + tonumber(ARGV[4])
  redis.call('HSET', KEYS[1], 'served', served, 'deadline', deadline)
end
if served + 1 == ticket then
  redis.call('HSET', KEYS[1], 'deadline', now + tonumber(ARGV[3]))
  return 1
end
if ticket <= served then return 1 end  -- skipped while slow: go on rather than lose the message
return 0
