-- Alert once per contact, whichever gateway's watchdog gets there first. KEYS: conv
if redis.call('HGET', KEYS[1], 'state') ~= 'queued' or redis.call('HGET', KEYS[1], 'alerted') == '1' then return 0 end
redis.call('HSET', KEYS[1], 'alerted', '1')
return 1
