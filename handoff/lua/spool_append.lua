-- Buffer store writes while SQL is away (handoff/spool.py), in order, and mark the buffer active
-- so that every later write queues behind them until they are written.
-- KEYS: entries (stream), active, seq. ARGV: n, then n times: write, arguments (JSON), wants_id.
-- Returns each entry's provisional id (a negative number), or 0 for a write that makes none.
local out = {}
local n = tonumber(ARGV[1])
for i = 0, n - 1 do
  local write, arguments, wants_id = ARGV[2 + 3 * i], ARGV[3 + 3 * i], ARGV[4 + 3 * i]
  local provisional = 0
  if wants_id == "1" then
    provisional = -redis.call("INCR", KEYS[3])
  end
  redis.call("XADD", KEYS[1], "*", "w", write, "a", arguments, "p", provisional)
  out[#out + 1] = provisional
end
redis.call("SET", KEYS[2], "1")
return out
