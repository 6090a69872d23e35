-- Request statistics of the devserver: the real counters behind /_admin/statistics and
-- /_admin/metrics (requests per method, response codes, bytes, time spent, connections).
local uv = require "luv"

local M = {}

local Stats = {}
Stats.__index = Stats

-- ArangoDB's histogram bucket bounds for request times (seconds) and sizes (bytes).
local TIME_BOUNDS = { 0.01, 0.05, 0.1, 0.2, 0.5, 1.0, 5.0, 15.0, 30.0 }
local SIZE_BOUNDS = { 250, 1000, 2000, 5000, 10000 }
M.TIME_BOUNDS, M.SIZE_BOUNDS = TIME_BOUNDS, SIZE_BOUNDS
M.MAX_CALLS = 1000 -- recent requests kept for GET /_admin/server/api-calls

local function histogram(bounds)
  local counts = {}
  for i = 1, #bounds + 1 do counts[i] = 0 end
  return { sum = 0, count = 0, counts = counts, bounds = bounds }
end

local function observe(h, v)
  h.sum = h.sum + v
  h.count = h.count + 1
  local b = h.bounds
  for i = 1, #b do
    if v < b[i] then
      h.counts[i] = h.counts[i] + 1
      return
    end
  end
  h.counts[#b + 1] = h.counts[#b + 1] + 1
end
M.observe = observe

function M.new()
  return setmetatable({
    started = uv.hrtime(),
    start_time = os.time(),
    requests = 0,
    by_method = {},
    by_code = {},
    superuser = 0,
    async = 0,
    total_time = histogram(TIME_BOUNDS),
    bytes_sent = histogram(SIZE_BOUNDS),
    bytes_received = histogram(SIZE_BOUNDS),
    -- ring of the most recent requests (GET /_admin/server/api-calls)
    calls = {}, calls_next = 1,
  }, Stats)
end

--- Seconds since the server started.
function Stats:uptime()
  return (uv.hrtime() - self.started) / 1e9
end

--- Counts a request that arrives; returns its start time for request_finished.
function Stats:request_started(req)
  local started = uv.hrtime()
  self.requests = self.requests + 1
  local m = req.method
  self.by_method[m] = (self.by_method[m] or 0) + 1
  observe(self.bytes_received, #req.body)
  local i = self.calls_next
  self.calls[i] = { os.time(), m, req.target }
  self.calls_next = i % M.MAX_CALLS + 1
  return started
end

--- The recorded recent requests, newest first: { {time, method, target}, ... }.
function Stats:recent_calls()
  local out, n = {}, #self.calls
  local i = self.calls_next
  for _ = 1, n do
    i = i - 1
    if i < 1 then i = n end
    out[#out + 1] = self.calls[i]
  end
  return out
end

--- Counts the response `res` of a request that started at `started` (request_started's).
function Stats:request_finished(res, started)
  local st = res.status
  self.by_code[st] = (self.by_code[st] or 0) + 1
  observe(self.bytes_sent, #res.body)
  if started then observe(self.total_time, (uv.hrtime() - started) / 1e9) end
end

--- Resident memory and CPU use of the process (best effort, from luv and /proc).
function M.process()
  local ru = uv.getrusage() or {}
  local function secs(t) return t and (t.sec + t.usec / 1e6) or 0 end
  local rss = uv.resident_set_memory and uv.resident_set_memory() or 0
  local total = uv.get_total_memory and uv.get_total_memory() or 0
  local vsize, threads = 0, 1
  local f = io.open("/proc/self/stat", "r")
  if f then
    local line = f:read("l") or ""
    f:close()
    local fields = {}
    for x in line:gsub("^.-%) ", ""):gmatch("%S+") do fields[#fields + 1] = x end
    -- fields after the command: state=1 ... num_threads=18, vsize=21
    threads = tonumber(fields[18]) or 1
    vsize = tonumber(fields[21]) or 0
  end
  return {
    minorPageFaults = ru.minflt or 0, majorPageFaults = ru.majflt or 0,
    userTime = secs(ru.utime), systemTime = secs(ru.stime),
    numberOfThreads = threads, residentSize = rss,
    residentSizePercent = total > 0 and rss / total or 0, virtualSize = vsize,
    physicalMemory = total,
  }
end

return M
