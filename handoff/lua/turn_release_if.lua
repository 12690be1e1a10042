-- The turn ends only if a watched hash field still holds what the caller expects: then the
-- commands run and the turn is released, in one round trip. Otherwise nothing runs and the
-- hash comes back (flat), for the caller to act on the change first.
-- KEYS: turn, watched hash. ARGV: ticket, now, grace, field, expected, value of a missing field,
-- then each command as its number of parts followed by the parts.
local current = redis.call('HGET', KEYS[2], ARGV[4]) or ARGV[6]
if current ~= ARGV[5] then return redis.call('HGETALL', KEYS[2]) end
local i = 7
while i <= #ARGV do
  local n = tonumber(ARGV[i])
  redis.call(unpack(ARGV, i + 1, i + n))
  i = i + n + 1
end
done(KEYS[1], ARGV[1], ARGV[2], ARGV[3])
return false
