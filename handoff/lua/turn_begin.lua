-- A message of a conversation known by its pointer (a key holding the conversation id): the
-- id, the ticket and, when the turn began, the reads, all in one round trip.
-- KEYS: pointer. ARGV: turn key prefix, now, lease, then (command, key prefix) pairs, each key
-- completed with the conversation id. Returns false when the pointer is missing.
-- The keys built here are not declared, which Redis Cluster forbids; the hotline runs on one
-- Redis (with Sentinel, docs/deploy.md), as its queue scripts, which span conversations, need.
local conversation = redis.call('GET', KEYS[1])
if not conversation then return false end
local ticket, go = take(ARGV[1] .. conversation, tonumber(ARGV[2]), tonumber(ARGV[3]))
local out = {conversation, ticket, go}
if go == 1 then
  for i = 4, #ARGV, 2 do out[#out + 1] = redis.call(ARGV[i], ARGV[i + 1] .. conversation) end
end
return out
