-- KEYS: conv, assigned, agent. ARGV: id, counsellor, survey (its first question, or ''),
-- follow_up ('1' when a referral keeps the case open for follow-up, else '')
if redis.call('HGET', KEYS[1], 'state') ~= 'assigned' or redis.call('HGET', KEYS[1], 'counsellor') ~= ARGV[2] then
  return {'not_yours', ''}
end
local contact = redis.call('HGET', KEYS[1], 'contact')
redis.call('HSET', KEYS[1], 'state', 'bot', 'counsellor', '', 'survey', ARGV[3], 'survey_contact', contact,
           'follow_up', ARGV[4])
redis.call('SREM', KEYS[2], ARGV[1])
redis.call('SREM', KEYS[3], ARGV[1])
return {'ok', contact}
