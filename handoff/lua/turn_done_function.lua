-- Ends a turn: the next ticket may go.
local function done(key, ticket, now, grace)
  local served = tonumber(redis.call('HGET', key, 'served') or '0')
  if served + 1 == tonumber(ticket) then
    redis.call('HSET', key, 'served', ticket, 'deadline', tonumber(now) + tonumber(grace))
  end
end
