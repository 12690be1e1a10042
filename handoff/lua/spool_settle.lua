-- The buffer is written out: writes go to SQL again, unless an entry came in meanwhile.
-- KEYS: entries (stream), active. Returns 1 when the buffer is empty and no longer active.
if redis.call("XLEN", KEYS[1]) == 0 then
  redis.call("DEL", KEYS[2])
  return 1
end
return 0
