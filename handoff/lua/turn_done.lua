-- KEYS: turn. ARGV: ticket, now, grace.
done(KEYS[1], ARGV[1], ARGV[2], ARGV[3])
return 1
