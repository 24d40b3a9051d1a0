-- Forgets a caller in Redis for one org: deletes the post-task history entries given that belong to the org, and in
-- the closed session each of them points to, the caller's number becomes 'Anonymized' and their token (what named
-- their keys) is cleared. Another org's entries and sessions for the same caller stay, and so do open sessions (they
-- still route).
-- KEYS: history entries (P, caller token). ARGV: orgId, caller, key prefix, callerToken.
-- Returns {entries deleted, sessions changed}.
local orgId, caller, prefix, callerToken = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local deleted, sessions = 0, 0
for _, key in ipairs(KEYS) do
  local entry = redis.call('HMGET', key, 'orgId', 'taskId')
  if entry[1] == orgId then
    redis.call('DEL', key)
    deleted = deleted + 1
    if entry[2] then
      local session = prefix .. 'session:' .. orgId .. ':' .. entry[2]
      local s = redis.call('HMGET', session, 'orgId', 'status', 'driver', 'recipient', 'driverToken', 'recipientToken')
      if s[1] == orgId and s[2] == 'closed' and (s[3] == caller or s[4] == caller) then
        if s[3] == caller then redis.call('HSET', session, 'driver', 'Anonymized') end
        if s[4] == caller then redis.call('HSET', session, 'recipient', 'Anonymized') end
        if s[5] == callerToken then redis.call('HSET', session, 'driverToken', '') end
        if s[6] == callerToken then redis.call('HSET', session, 'recipientToken', '') end
        sessions = sessions + 1
      end
    end
  end
end
return {deleted, sessions}
