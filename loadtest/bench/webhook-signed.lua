-- wrk script: cycles through pre-generated signed Twilio webhooks (wrk's Lua has no HMAC).
-- File format (made by maskline.loadtest.bench.PrepareWebhookBench): one request per line,
--   path <TAB> X-Twilio-Signature <TAB> application/x-www-form-urlencoded body
-- Environment: REQUEST_FILE (required), WRK_THREADS (the -t value, so each thread takes its own slice).
-- Each thread sends its slice of the lines in order; when it reaches the end it starts again, so from then
-- on every request is a duplicate (same Sid and signature) of one already sent: the `wraps` count in the
-- RESULT line says whether that happened.

local file = os.getenv("REQUEST_FILE")
local nthreads = tonumber(os.getenv("WRK_THREADS") or "1")
local threads = {}
local next_id = 0

function setup(thread)
  thread:set("tid", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

function init(args)
  paths, sigs, bodies = {}, {}, {}
  local i = 0
  for line in io.lines(file) do
    if i % nthreads == tid then
      local path, sig, body = line:match("^([^\t]+)\t([^\t]+)\t(.*)$")
      if path then
        local n = #paths + 1
        paths[n], sigs[n], bodies[n] = path, sig, body
      end
    end
    i = i + 1
  end
  if #paths == 0 then
    error("no requests for thread " .. tid .. " in " .. tostring(file))
  end
  nlines = #paths
  idx = 0
  wraps = 0
  sent = 0
  headers = { ["Content-Type"] = "application/x-www-form-urlencoded", ["X-Twilio-Signature"] = "" }
end

function request()
  idx = idx + 1
  if idx > #paths then
    idx = 1
    wraps = wraps + 1
  end
  sent = sent + 1
  headers["X-Twilio-Signature"] = sigs[idx]
  return wrk.format("POST", paths[idx], headers, bodies[idx])
end

function done(summary, latency, requests)
  local e = summary.errors
  local lines, wrapped, total_sent = 0, 0, 0
  for _, t in ipairs(threads) do
    local n = t:get("nlines")
    local s = t:get("sent")
    lines = lines + n
    total_sent = total_sent + s
    if s > n then
      wrapped = wrapped + (s - n)
    end
  end
  io.write(string.format(
    "RESULT requests=%d duration_s=%.3f rps=%.1f p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f max_ms=%.3f " ..
    "socket_errors=%d non2xx3xx=%d timeouts=%d file_lines=%d resent_after_wrap=%d\n",
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, e.connect + e.read + e.write, e.status, e.timeout, lines, wrapped))
end
