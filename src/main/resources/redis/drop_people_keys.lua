-- One SCAN step over Maskline's keys, deleting those whose names are about people (routes, history, in-use sets,
-- guards: Keys.PEOPLE_KEY_SEGMENTS) so that the gateway can name them anew from Postgres (RedisDataWatch). SCAN runs
-- here, not from the client, so that it reaches the node holding every Maskline key on Redis Cluster too; UNLINK
-- frees the memory off Redis's main thread.
-- KEYS[1] any key in the {ml} slot (routes the call). ARGV: cursor, count, match pattern, key start... (the prefix
--   and a segment: Keys.PREFIX .. 'route:')
-- Returns {next cursor, keys deleted}
local step = redis.call('SCAN', ARGV[1], 'MATCH', ARGV[3], 'COUNT', ARGV[2])
local doomed = {}
for _, key in ipairs(step[2]) do
  for i = 4, #ARGV do
    if string.sub(key, 1, #ARGV[i]) == ARGV[i] then
      doomed[#doomed + 1] = key
      break
    end
  end
end
if #doomed > 0 then redis.call('UNLINK', unpack(doomed)) end
return {step[1], #doomed}
