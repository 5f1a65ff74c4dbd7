-- wrk script: GET /customer/{id} of the TMF629 API, each request for an id picked at random
-- from a file (one customer number a line), with the partner's bearer token.
--
--   API_TOKEN=crm_... wrk -t2 -c16 -d10s -s bench/api_retrieve.lua \
--       http://127.0.0.1:8000/tmf-api/customerManagement/v5 -- ids.txt
--
-- At the end it prints one machine-readable line, "wrk_result key=value ...", that
-- bench/bench_api.py reads.

local thread_count = 0

function setup(thread)
  thread_count = thread_count + 1
  thread:set("number", thread_count)
end

local ids = {}
local headers = {}
local root = ""

function init(args)
  local path = args[1]
  if path == nil then
    error("give the file of customer numbers after --")
  end
  for line in io.lines(path) do
    if line ~= "" then
      ids[#ids + 1] = line
    end
  end
  if #ids == 0 then
    error("no customer numbers in " .. path)
  end
  local token = os.getenv("API_TOKEN")
  if token == nil or token == "" then
    error("set API_TOKEN")
  end
  headers["Authorization"] = "Bearer " .. token
  headers["Accept"] = "application/json"
  root = wrk.path:gsub("/+$", "")
  math.randomseed(os.time() * 1000 + (number or 0))
end

function request()
  return wrk.format("GET", root .. "/customer/" .. ids[math.random(#ids)], headers)
end

function done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    "wrk_result requests=%d duration_us=%d bytes=%d p50_us=%d p90_us=%d p99_us=%d "
      .. "max_us=%d mean_us=%.1f non_2xx=%d connect_errors=%d read_errors=%d "
      .. "write_errors=%d timeouts=%d\n",
    summary.requests, summary.duration, summary.bytes,
    latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.max, latency.mean, errors.status, errors.connect, errors.read,
    errors.write, errors.timeout
  ))
end
