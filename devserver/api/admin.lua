-- Monitoring endpoints: /_admin/log (+ /entries, /level), /_admin/statistics,
-- /_admin/statistics-description, /_admin/metrics (Prometheus text with real counters).
local json = require "arango.json"
local stats_mod = require "arango.devserver.stats"
local log_mod = require "arango.devserver.log"

local M = {}

local LEVEL_NUM = { FATAL = 0, ERROR = 1, WARNING = 2, INFO = 3, DEBUG = 4, TRACE = 5 }

local function log_legacy(ctx)
  local entries, total = ctx.server.log:select(ctx.query)
  local lid, level, timestamp, text, topic = {}, {}, {}, {}, {}
  for i, e in ipairs(entries) do
    lid[i], level[i], timestamp[i] = e.id, LEVEL_NUM[e.level], e.time
    text[i], topic[i] = e.message, e.topic
  end
  return 200, { totalAmount = total, lid = json.array(lid), level = json.array(level),
                timestamp = json.array(timestamp), text = json.array(text), topic = json.array(topic) }
end

local function log_entries(ctx)
  local entries, total = ctx.server.log:select(ctx.query)
  local messages = {}
  for i, e in ipairs(entries) do
    messages[i] = { id = e.id, topic = e.topic, level = e.level, date = e.date, message = e.message }
  end
  return 200, { total = total, messages = json.array(messages) }
end

local function check_level(ctx, v)
  if type(v) ~= "string" or not log_mod.LEVELS[v:upper()] and v:upper() ~= "DEFAULT" then
    ctx:fail(400, 10, "invalid log level")
  end
  return v:upper()
end

local function log_level_put(ctx)
  local body = ctx:json()
  local levels = ctx.server.log.levels
  ctx.server.log.defaults = ctx.server.log.defaults or (function()
    local c = {}
    for k, v in pairs(levels) do c[k] = v end
    return c
  end)()
  if type(body) == "string" then
    local lv = check_level(ctx, body)
    for k in pairs(levels) do levels[k] = lv end
  elseif type(body) == "table" and not json.is_array(body) then
    for topic, lv in pairs(body) do
      lv = check_level(ctx, lv)
      if topic == "all" then
        for k in pairs(levels) do levels[k] = lv end
      elseif levels[topic] then
        levels[topic] = lv
      end
    end
  else
    ctx:fail(400, 10, "expecting an object or a string")
  end
  return 200, levels
end

local function log_level_reset(ctx)
  local log = ctx.server.log
  if log.defaults then
    for k, v in pairs(log.defaults) do log.levels[k] = v end
  end
  return 200, log.levels
end

local function statistics(ctx)
  local s = ctx.server.stats
  local p = stats_mod.process()
  local function h(x)
    return { sum = x.sum, count = x.count, counts = json.array({ table.unpack(x.counts) }) }
  end
  local empty_conn = { sum = 0, count = 0, counts = json.array({ 0, 0, 0, 0 }) }
  local client = {
    httpConnections = ctx.server.connections and ctx.server.connections() or 0,
    connectionTime = empty_conn,
    totalTime = h(s.total_time), requestTime = h(s.total_time),
    queueTime = { sum = 0, count = s.total_time.count,
                  counts = json.array({ s.total_time.count, 0, 0, 0, 0, 0, 0, 0, 0, 0 }) },
    ioTime = { sum = 0, count = s.total_time.count,
               counts = json.array({ s.total_time.count, 0, 0, 0, 0, 0, 0, 0, 0, 0 }) },
    bytesSent = h(s.bytes_sent), bytesReceived = h(s.bytes_received),
  }
  local m = s.by_method
  local known = 0
  for _, k in ipairs({ "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS" }) do
    known = known + (m[k] or 0)
  end
  local uv = require "luv"
  local s_, us = uv.gettimeofday()
  return 200, {
    time = s_ + us / 1e6, enabled = true,
    system = {
      minorPageFaults = p.minorPageFaults, majorPageFaults = p.majorPageFaults,
      userTime = p.userTime, systemTime = p.systemTime, numberOfThreads = p.numberOfThreads,
      residentSize = p.residentSize, residentSizePercent = p.residentSizePercent,
      virtualSize = p.virtualSize,
    },
    client = client, clientUser = client,
    http = {
      requestsTotal = s.requests, requestsSuperuser = s.superuser, requestsUser = s.requests - s.superuser,
      requestsAsync = s.async, requestsGet = m.GET or 0, requestsHead = m.HEAD or 0,
      requestsPost = m.POST or 0, requestsPut = m.PUT or 0, requestsPatch = m.PATCH or 0,
      requestsDelete = m.DELETE or 0, requestsOptions = m.OPTIONS or 0,
      requestsOther = s.requests - known,
    },
    server = {
      uptime = s:uptime(), physicalMemory = p.physicalMemory,
      transactions = { started = 0, aborted = 0, committed = 0, intermediateCommits = 0, readOnly = 0,
                       dirtyReadOnly = 0 },
      v8Context = { available = 0, busy = 0, dirty = 0, free = 0, max = 0, min = 0, memory = json.array({}) },
      threads = { ["scheduler-threads"] = 1, blocked = 0, queued = 0, ["in-progress"] = 1,
                  ["direct-exec"] = 0 },
    },
    error = false, code = 200,
  }
end

-- Prometheus exposition -----------------------------------------------------------------

local function fmt(v)
  if math.type(v) == "integer" then return tostring(v) end
  if v == math.floor(v) and math.abs(v) < 1e15 then return string.format("%d", v) end
  return string.format("%.17g", v)
end

local function metric_values(state)
  local s = state.stats
  local p = stats_mod.process()
  local ndb, ncol = 0, 0
  local store = state.store
  for _, d in ipairs(store:databases()) do
    ndb = ndb + 1
    local db = type(d) == "table" and d or store:database(d)
    if db and db.collections then
      local ok, cols = pcall(db.collections, db)
      if ok and type(cols) == "table" then ncol = ncol + #cols end
    end
  end
  local v = {
    arangodb_process_statistics_minor_page_faults_total = p.minorPageFaults,
    arangodb_process_statistics_major_page_faults_total = p.majorPageFaults,
    arangodb_process_statistics_user_time = p.userTime,
    arangodb_process_statistics_system_time = p.systemTime,
    arangodb_process_statistics_number_of_threads = p.numberOfThreads,
    arangodb_process_statistics_resident_set_size = p.residentSize,
    arangodb_process_statistics_resident_set_size_percent = p.residentSizePercent,
    arangodb_process_statistics_virtual_memory_size = p.virtualSize,
    arangodb_server_statistics_server_uptime_total = s:uptime(),
    arangodb_server_statistics_physical_memory = p.physicalMemory,
    arangodb_client_connection_statistics_client_connections =
      state.connections and state.connections() or 0,
    arangodb_http1_connections_total = state.connections_total and state.connections_total() or 0,
    arangodb_http_request_statistics_total_requests_total = s.requests,
    arangodb_http_request_statistics_superuser_requests_total = s.superuser,
    arangodb_http_request_statistics_user_requests_total = s.requests - s.superuser,
    arangodb_http_request_statistics_async_requests_total = s.async,
    arangodb_http_request_statistics_http_get_requests_total = s.by_method.GET or 0,
    arangodb_http_request_statistics_http_head_requests_total = s.by_method.HEAD or 0,
    arangodb_http_request_statistics_http_post_requests_total = s.by_method.POST or 0,
    arangodb_http_request_statistics_http_put_requests_total = s.by_method.PUT or 0,
    arangodb_http_request_statistics_http_patch_requests_total = s.by_method.PATCH or 0,
    arangodb_http_request_statistics_http_delete_requests_total = s.by_method.DELETE or 0,
    arangodb_http_request_statistics_http_options_requests_total = s.by_method.OPTIONS or 0,
    arangodb_metadata_number_of_databases = ndb,
    arangodb_metadata_number_of_collections = ncol,
  }
  local hist = {
    arangodb_client_connection_statistics_total_time = s.total_time,
    arangodb_client_connection_statistics_request_time = s.total_time,
    arangodb_client_connection_statistics_bytes_sent = s.bytes_sent,
    arangodb_client_connection_statistics_bytes_received = s.bytes_received,
    arangodb_client_user_connection_statistics_bytes_sent = s.bytes_sent,
    arangodb_client_user_connection_statistics_bytes_received = s.bytes_received,
  }
  return v, hist
end

local function metrics(ctx)
  local catalog = require "arango.devserver.metrics_catalog"
  local values, hists = metric_values(ctx.server)
  local role = '{role="SINGLE"}'
  local out = {}
  local n = 0
  local function add(s) n = n + 1; out[n] = s end
  for _, entry in ipairs(catalog) do
    local name, kind = entry[1], entry[2]
    add("# HELP " .. name .. " " .. name:gsub("_", " ") .. "\n")
    add("# TYPE " .. name .. " " .. kind .. "\n")
    if kind == "histogram" then
      local h = hists[name]
      local cum = 0
      if h then
        for i, b in ipairs(h.bounds) do
          cum = cum + h.counts[i]
          add(string.format('%s_bucket{role="SINGLE",le="%s"} %d\n', name, fmt(b), cum))
        end
        cum = cum + h.counts[#h.bounds + 1]
      end
      add(string.format('%s_bucket{role="SINGLE",le="+Inf"} %d\n', name, cum))
      add(string.format("%s_count%s %d\n", name, role, h and h.count or 0))
      add(string.format("%s_sum%s %s\n", name, role, fmt(h and h.sum or 0)))
    elseif name == "arangodb_http_response_code_total" then
      local codes = {}
      for code in pairs(ctx.server.stats.by_code) do codes[#codes + 1] = code end
      table.sort(codes)
      for _, code in ipairs(codes) do
        add(string.format('%s{role="SINGLE",code="%d"} %d\n', name, code, ctx.server.stats.by_code[code]))
      end
    else
      add(name .. role .. " " .. fmt(values[name] or 0) .. "\n")
    end
  end
  return 200, table.concat(out), { ["content-type"] = "text/plain; version=0.0.4; charset=utf-8" }
end

local function iso_time(t) return os.date("!%Y-%m-%dT%H:%M:%SZ", t) end

local function api_calls(ctx)
  local calls = json.array{}
  for _, c in ipairs(ctx.server.stats:recent_calls()) do
    local target = c[3]
    local db, path = target:match("^/_db/([^/?]+)(.*)$")
    calls[#calls + 1] = { timeStamp = iso_time(c[1]), requestType = c[2],
      path = (path or target):gsub("%?.*$", ""), database = db or "_system" }
  end
  return 200, { result = { calls = calls } }
end

local function aql_queries(ctx)
  -- what the query tracker of this database keeps: running queries, then the slow ones
  local aql_state = require "arango.devserver.aql.state"
  local t = aql_state.tracking(aql_state.get(ctx.server), ctx.db_name)
  local queries = json.array{}
  local running = {}
  for _, e in pairs(t.current) do running[#running + 1] = e end
  table.sort(running, function(a, b) return a.started < b.started end)
  for _, list in ipairs{ running, t.slow } do
    for _, e in ipairs(list) do
      local j = aql_state.entry_json(e)
      queries[#queries + 1] = { timeStamp = j.started, query = j.query, database = j.database,
        user = j.user, bindVars = j.bindVars, state = j.state }
    end
  end
  return 200, { result = { queries = queries } }
end

local function activities(ctx)
  local list = json.array{}
  list[1] = { id = "1", type = "RestHandler", parent = json.null, createdAt = iso_time(os.time()),
    data = { method = ctx.method, url = ctx.path, database = ctx.db_name } }
  return 200, list
end

local STRUCTURED = { ["database"] = true, username = true, url = true }

local function log_structured_put(ctx)
  local body = ctx:json()
  if type(body) ~= "table" or json.is_array(body) then ctx:fail(400, 10, "expecting an object") end
  local st = ctx.server.log_structured or { ["database"] = false, username = false, url = false }
  local nxt = {}
  for k, v in pairs(st) do nxt[k] = v end
  for k, v in pairs(body) do
    if STRUCTURED[k] then
      if type(v) ~= "boolean" then ctx:fail(400, 10, "value for '" .. k .. "' must be a boolean") end
      nxt[k] = v
    end
  end
  ctx.server.log_structured = nxt
  return 200, nxt
end

function M.register(router)
  local admin = { system = true }
  router:add("GET", "/_admin/log", log_legacy, admin)
  router:add("GET", "/_admin/log/entries", log_entries, admin)
  router:add("GET", "/_admin/log/level", function(ctx) return 200, ctx.server.log.levels end, admin)
  router:add("PUT", "/_admin/log/level", log_level_put, admin)
  router:add("DELETE", "/_admin/log/level", log_level_reset, admin)
  router:add("GET", "/_admin/log/structured", function(ctx)
    return 200, ctx.server.log_structured or { ["database"] = false, username = false, url = false }
  end, admin)
  router:add("PUT", "/_admin/log/structured", log_structured_put, admin)
  router:add("GET", "/_admin/activities", activities, admin)
  router:add("GET", "/_admin/server/api-calls", api_calls, admin)
  router:add("GET", "/_admin/server/aql-queries", aql_queries, admin)
  -- shard usage metrics exist on DB-Servers only: a single server has none to report
  router:add("GET", "/_admin/usage-metrics", function()
    return 200, "", { ["content-type"] = "text/plain; version=0.0.4; charset=utf-8" }
  end, {})
  router:add("GET", "/_admin/statistics", statistics, {})
  router:add("GET", "/_admin/statistics-description", function()
    local d = require "arango.devserver.statistics_description"
    return 200, { groups = d.groups, figures = d.figures, error = false, code = 200 }
  end, {})
  -- the write-ahead log is the store's business; flushing is a no-op a client may still call
  router:add("PUT", "/_admin/wal/flush", function() return 200, { error = false, code = 200 } end, admin)
  router:add("GET", "/_admin/wal/transactions", function()
    return 200, { runningTransactions = 0, minLastCollected = json.null, minLastSealed = json.null }
  end, admin)
  router:add("GET", "/_admin/metrics", metrics, {})
  router:add("GET", "/_admin/metrics/v2", metrics, {})
end

return M
