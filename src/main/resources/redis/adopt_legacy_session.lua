-- Moves a session record of the layout before sessions were keyed by (org, task) ('session:<taskId>') to its key
-- of today ('session:<orgId>:<taskId>'), with its expiry entry. Records already keyed by org are left alone.
-- KEYS[1] a session key. ARGV: prefix. Returns the record's fields (flat) when moved, else an empty list.
local key, prefix = KEYS[1], ARGV[1]
local fields = redis.call('HGETALL', key)
local s = {}
for i = 1, #fields, 2 do s[fields[i]] = fields[i + 1] end
if not s.orgId or not s.taskId or key ~= prefix .. 'session:' .. s.taskId then return {} end
local moved = prefix .. 'session:' .. s.orgId .. ':' .. s.taskId
if redis.call('EXISTS', moved) == 1 then return {} end
redis.call('RENAME', key, moved)
local expiry = prefix .. 'session-expiry'
local due = redis.call('ZSCORE', expiry, s.taskId)
if due then
  redis.call('ZREM', expiry, s.taskId)
  redis.call('ZADD', expiry, due, s.orgId .. ':' .. s.taskId)
end
return fields
