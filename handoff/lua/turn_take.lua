-- KEYS: turn. ARGV: now, lease. Returns {ticket, 1 when its turn began}.
local ticket, go = take(KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2]))
return {ticket, go}
