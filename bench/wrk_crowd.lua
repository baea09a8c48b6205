-- The crowd mix: reads and writes from many identities, every answer checked.
-- Arguments after `--`: reads file, writes file, writes per 1000 requests. Each line of a file is
-- "<Authorization header value or empty>\t<JSON body>". Reads cycle; writes are consumed once
-- each (thread t takes lines t, t + threads, ...), and a thread that runs out sends reads and
-- counts `exhausted`, which fails the run. A response fails when it is not HTTP 200, carries
-- top-level "errors", or a non-empty "userErrors" list. done() prints one result line.
local threads = {}
local reads, writes = {}, {}

function setup(thread)
  thread:set("thread_id", #threads)
  table.insert(threads, thread)
end

local function load(path, into)
  for line in io.lines(path) do
    local tab = line:find("\t", 1, true)
    if tab then
      local auth = line:sub(1, tab - 1)
      local headers = {["Content-Type"] = "application/json"}
      if #auth > 0 then headers["Authorization"] = auth end
      into[#into + 1] = {headers = headers, body = line:sub(tab + 1)}
    end
  end
end

function init(args)
  load(args[1], reads)
  load(args[2], writes)
  per_mille = tonumber(args[3])
  thread_count = tonumber(args[4])
  read_index = ((thread_id or 0) * 997) % math.max(#reads, 1)
  write_index = (thread_id or 0) + 1
  sent, failures, exhausted, write_answers, first_failure = 0, 0, 0, 0, ""
end

function request()
  sent = sent + 1
  if per_mille > 0 and (sent * per_mille) % 1000 < per_mille then
    local write = writes[write_index]
    if write then
      write_index = write_index + thread_count
      return wrk.format("POST", nil, write.headers, write.body)
    end
    exhausted = exhausted + 1
  end
  read_index = read_index % #reads + 1
  local read = reads[read_index]
  return wrk.format("POST", nil, read.headers, read.body)
end

function response(status, headers, body)
  local bad = status ~= 200 or body:find('"errors":', 1, true) or
    body:find('"userErrors":[{', 1, true)
  if bad then
    failures = failures + 1
    if first_failure == "" then first_failure = status .. " " .. body:sub(1, 300) end
  elseif body:find('"userErrors":[]', 1, true) then
    write_answers = write_answers + 1
  end
end

function done(summary, latency, requests)
  local failed, exhaust, written, first = 0, 0, 0, ""
  for _, thread in ipairs(threads) do
    failed = failed + thread:get("failures")
    exhaust = exhaust + thread:get("exhausted")
    written = written + thread:get("write_answers")
    if first == "" then first = thread:get("first_failure") end
  end
  local e = summary.errors
  io.write(string.format(
    'BENCHJSON {"requests":%d,"duration_us":%d,"p50_us":%d,"p99_us":%d,"mean_us":%.1f,' ..
    '"max_us":%d,"errors":%d,"non2xx":%d,"failures":%d,"exhausted":%d,"writes":%d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    latency.mean, latency.max, e.connect + e.read + e.write + e.timeout, e.status,
    failed, exhaust, written))
  if first ~= "" then io.write("FIRSTFAILURE " .. first:gsub("\n", " ") .. "\n") end
end
