-- wrk script for bench/load.py: count the responses that are not 200 and those
-- that set a cookie, then print every figure as one JSON line after "BENCH-JSON ".
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  not_ok = 0
  set_cookie = 0
end

function response(status, headers, body)
  if status ~= 200 then
    not_ok = not_ok + 1
  end
  if headers["Set-Cookie"] ~= nil or headers["set-cookie"] ~= nil then
    set_cookie = set_cookie + 1
  end
end

function done(summary, latency, requests)
  local bad, cookies = 0, 0
  for _, thread in ipairs(threads) do
    bad = bad + thread:get("not_ok")
    cookies = cookies + thread:get("set_cookie")
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH-JSON {"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, ' ..
    '"not_ok": %d, "set_cookie": %d, "errors": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    bad, cookies, e.connect + e.read + e.write + e.timeout))
end
