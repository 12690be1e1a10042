-- A channel user's conversation: the pointer is set only if absent (two first messages at once
-- still make one conversation), with the conversation's channel and sender.
-- KEYS: pointer, conv. ARGV: id, channel, sender. Returns the id the pointer holds.
if redis.call('SET', KEYS[1], ARGV[1], 'NX') then
  redis.call('HSET', KEYS[2], 'channel', ARGV[2], 'sender', ARGV[3])
  return ARGV[1]
end
return redis.call('GET', KEYS[1])
