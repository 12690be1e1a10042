-- Take a ticket; in the usual case (nobody ahead) its turn begins at once, in the same call.
-- An idle line is forgotten after a day.
local function take(key, now, lease)
  local ticket = redis.call('HINCRBY', key, 'next', 1)
  local served = tonumber(redis.call('HGET', key, 'served') or '-1')
  if ticket == 1 or served < 0 then
    served = ticket - 1
    redis.call('HSET', key, 'served', served)
  end
  redis.call('EXPIRE', key, 86400)
  if served + 1 == ticket then
    redis.call('HSET', key, 'deadline', now + lease)
    return ticket, 1
  end
  return ticket, 0
end
