-- Server information endpoints: /_api/version, /_api/engine, /_admin/server/*, /_admin/time,
-- /_admin/status, /_admin/echo, /_admin/routing/reload, /_admin/database/target-version,
-- /_admin/compact, /_admin/license.
local json = require "arango.json"
local uv = require "luv"

local M = {}

local JSON_TYPE = "application/json; charset=utf-8"

M.VERSION = "3.12.10"

local function hostname()
  local ok, h = pcall(uv.os_gethostname)
  return ok and h or "localhost"
end

local function version_details(state)
  local uname = uv.os_uname and uv.os_uname() or {}
  local mem = uv.get_total_memory and uv.get_total_memory() or 0
  return {
    architecture = "64bit",
    ["build-date"] = "2025-01-01 00:00:00",
    ["build-repository"] = "lua-arango devserver",
    compiler = "lua",
    cplusplus = "none",
    debug = "false",
    endianness = "little",
    ["failure-tests"] = "false",
    ["full-version-string"] = "ArangoDB " .. M.VERSION .. " enterprise [" .. (uname.sysname or "linux")
      .. "] 64bit, using lua-arango devserver on " .. _VERSION,
    host = hostname(),
    license = "enterprise",
    ["maintainer-mode"] = "false",
    memory = string.format("%d", mem),
    mode = "server",
    platform = (uname.sysname or "linux"):lower(),
    ["reactor-type"] = "libuv",
    role = "SINGLE",
    ["server-version"] = M.VERSION,
    ["storage-engine"] = "rocksdb",
    ["lua-version"] = _VERSION,
    ["libuv-version"] = uv.version_string(),
    cores = tostring(#(uv.cpu_info() or {})),
    ["read-only"] = tostring(state.read_only == true),
  }
end

local function version(ctx)
  local body = {
    server = "arango", license = "enterprise", version = M.VERSION,
    apiVersions = json.array({ "v0" }), deprecatedApiVersions = json.array({}),
    requestedApiVersion = "v0",
  }
  local d = ctx.query.details
  if d == "true" or d == "1" or d == "yes" then body.details = version_details(ctx.server) end
  return 200, body
end

local function engine()
  return 200, {
    name = "rocksdb",
    supports = {
      indexes = json.array({ "primary", "edge", "hash", "skiplist", "ttl", "persistent", "geo", "fulltext",
                             "mdi", "mdi-prefixed", "inverted" }),
      aliases = { indexes = { hash = "persistent", skiplist = "persistent", zkd = "mdi" } },
    },
    endianness = "big",
  }
end

local function server_id(state)
  if not state.server_id then
    local h = require("arango.devserver.auth").tohex(require("arango.core").random_bytes(16))
    state.server_id = string.format("SNGL-%s-%s-%s-%s-%s", h:sub(1, 8), h:sub(9, 12), h:sub(13, 16),
      h:sub(17, 20), h:sub(21, 32))
  end
  return state.server_id
end

local function status(ctx)
  local state = ctx.server
  return 200, {
    server = "arango", version = M.VERSION, pid = uv.os_getpid(), license = "enterprise",
    mode = "server", operationMode = "server", foxxApi = false, host = hostname(),
    hostname = hostname(),
    serverInfo = {
      progress = { phase = "in wait", feature = "", recoveryTick = 0 },
      maintenance = false, role = "SINGLE", writeOpsEnabled = not state.read_only,
      readOnly = state.read_only == true, persistedId = server_id(state), rebootId = 1,
      address = "tcp://" .. (state.host or "127.0.0.1") .. ":" .. tostring(state.port or 0),
      serverId = server_id(state), state = "SERVING",
    },
  }
end

local function time()
  local s, us = uv.gettimeofday()
  return 200, { error = false, code = 200, time = s + us / 1e6 }
end

local function echo(ctx)
  local peer_ip, peer_port = "127.0.0.1", 0
  local req_headers = {}
  for k, v in pairs(ctx.headers) do req_headers[k] = v end
  local suffix = json.array({})
  local cookies = {}
  for pair in (ctx.headers.cookie or ""):gmatch("[^;]+") do
    local k, v = pair:match("^%s*([^=]+)=(.*)$")
    if k then cookies[k] = v end
  end
  local params = {}
  for k, v in pairs(ctx.query) do params[k] = v end
  local url = (ctx.explicit_db and ("/_db/" .. ctx.db_name) or "") .. ctx.path
    .. (ctx.raw_query and ("?" .. ctx.raw_query) or "")
  return 200, {
    authorized = true, user = ctx.user or json.null, isAdminUser = ctx:is_admin(),
    database = ctx.db_name, url = url, protocol = "http", portType = "tcp",
    server = { address = ctx.server.host or "127.0.0.1", port = ctx.server.port or 0,
               endpoint = "tcp://" .. (ctx.server.host or "127.0.0.1") .. ":"
                 .. tostring(ctx.server.port or 0) },
    client = { address = peer_ip, port = peer_port, id = "0" },
    internals = {}, prefix = "/", headers = req_headers, requestType = ctx.method,
    requestBody = ctx.body or "", parameters = params, cookies = cookies,
    suffix = suffix, rawSuffix = suffix, path = ctx.path,
  }
end

-- Startup options as a single server started by bin/arango-devserver would report them: the
-- ones a client can sensibly inspect (the rest of ArangoDB's hundreds do not apply here).
local function startup_options(state)
  local endpoint = "tcp://" .. (state.host or "127.0.0.1") .. ":" .. tostring(state.port or 0)
  return {
    ["server.authentication"] = state.auth ~= nil and state.auth.enabled == true,
    ["server.endpoint"] = json.array{ endpoint },
    ["server.maximal-body-size"] = state.max_body_size,
    ["server.storage-engine"] = "rocksdb",
    ["database.directory"] = state.store.wal and state.store.wal.dir or "",
    ["database.wait-for-sync"] = false,
    ["javascript.allow-admin-execute"] = false,
    ["log.level"] = json.array{ "info" },
    ["query.memory-limit"] = 0,
    ["rocksdb.block-cache-size"] = 0,
  }
end

-- A small, non-secret subset (what options-public gives any authenticated reader).
local PUBLIC_OPTIONS = { ["server.storage-engine"] = true, ["query.memory-limit"] = true,
  ["server.maximal-body-size"] = true }

local function need_admin(ctx)
  if not ctx:is_admin() then ctx:fail(403, 11) end
end

local function only_system(ctx)
  if ctx.db_name ~= "_system" then ctx:fail(403, 1230) end
end

local function engine_stats(ctx)
  local docs, cols = 0, 0
  for _, name in ipairs(ctx.server.store:databases()) do
    local db = ctx.server.store:database(name)
    for _, col in ipairs(db:collections()) do
      cols = cols + 1
      docs = docs + col:count()
    end
  end
  return 200, {
    ["rocksdb.estimate-num-keys"] = docs,
    ["rocksdb.num-running-compactions"] = 0,
    ["rocksdb.num-running-flushes"] = 0,
    ["rocksdb.is-write-stopped"] = 0,
    ["cache.limit"] = 0,
    ["cache.allocated"] = 0,
    ["engine.collections"] = cols,
    columnFamilies = { documents = { ["rocksdb.estimate-num-keys"] = docs } },
  }
end

local function support_info(ctx)
  only_system(ctx)
  local uname = uv.os_uname and uv.os_uname() or {}
  local mem = uv.get_total_memory and uv.get_total_memory() or 0
  return 200, {
    date = os.date("!%Y-%m-%dT%H:%M:%SZ"),
    deployment = { type = "single", license = "enterprise" },
    host = {
      role = "SINGLE", maintenance = false, readOnly = ctx.server.read_only == true,
      version = M.VERSION, build = "lua-arango devserver", license = "enterprise",
      os = (uname.sysname or "linux") .. " " .. (uname.release or ""),
      platform = "linux", engine = "rocksdb",
      physicalMemory = { value = mem, overridden = false },
      numberOfCores = { value = #(uv.cpu_info() or {}), overridden = false },
    },
  }
end

-- DELETE /_admin/shutdown: answers first, then stops the server from the loop (the embedding
-- process learns about it through start{on_shutdown = fn}).
local function shutdown(ctx)
  need_admin(ctx)
  local state = ctx.server
  if state.request_shutdown then state.request_shutdown() end
  return 200, "\"OK\"", { ["content-type"] = JSON_TYPE }
end

function M.register(router)
  local any_db = {}
  local admin = { system = true }
  router:add("GET", "/_api/version", version, any_db)
  router:add("POST", "/_api/version", version, any_db)
  router:add("GET", "/_api/engine", engine, any_db)
  router:add("GET", "/_admin/server/role", function()
    return 200, { error = false, code = 200, role = "SINGLE", mode = "default" }
  end, any_db)
  router:add("GET", "/_admin/server/id", function(ctx)
    -- like ArangoDB on a single server: the ID exists only in a cluster
    ctx:fail(500, 500, "this API is only available in a cluster")
  end, any_db)
  router:add("GET", "/_admin/server/availability", function(ctx)
    local ro = ctx.server.read_only == true
    return 200, { mode = ro and "readonly" or "default", readOnly = ro }
  end, { open = true })
  router:add("GET", "/_admin/server/mode", function(ctx)
    return 200, { mode = ctx.server.read_only and "readonly" or "default" }
  end, any_db)
  router:add("PUT", "/_admin/server/mode", function(ctx)
    local body = ctx:json()
    if type(body) ~= "table" or (body.mode ~= "readonly" and body.mode ~= "default") then
      ctx:fail(400, 10, "mode must be 'readonly' or 'default'")
    end
    ctx.server.read_only = body.mode == "readonly"
    return 200, { mode = body.mode }
  end, admin)
  router:add("GET", "/_admin/time", time, any_db)
  router:add("GET", "/_admin/status", status, any_db)
  router:add({ "GET", "POST", "PUT", "PATCH", "DELETE" }, "/_admin/echo", echo, any_db)
  router:add("POST", "/_admin/routing/reload", function()
    return 200, { error = false, code = 200 }
  end, any_db)
  router:add("GET", "/_admin/database/target-version", function()
    return 200, { error = false, code = 200, version = "31210" }
  end, any_db)
  router:add("PUT", "/_admin/compact", function()
    return 200, {}
  end, admin)
  router:add("GET", "/_admin/license", function()
    return 200, {
      upgrading = false,
      diskUsage = { bytesUsed = 0, bytesLimit = 107374182400, limitReached = false,
                    secondsUntilReadOnly = 315569520, secondsUntilShutDown = 315569520, status = "good" },
    }
  end, any_db)
  router:add("GET", "/_api/engine/stats", engine_stats, admin)
  router:add("GET", "/_admin/support-info", support_info, admin)
  router:add("GET", "/_admin/options", function(ctx)
    only_system(ctx)
    return 200, startup_options(ctx.server)
  end, admin)
  router:add("GET", "/_admin/options-description", function(ctx)
    only_system(ctx)
    local out = {}
    for k, v in pairs(startup_options(ctx.server)) do
      out[k] = { section = k:match("^([^.]+)"), description = k, type = math.type(v) and "uint64"
        or type(v) == "boolean" and "boolean" or type(v) == "table" and "string..." or "string",
        hidden = false, dynamic = false, category = "option" }
    end
    return 200, out
  end, admin)
  router:add("GET", "/_admin/options-public", function(ctx)
    local out = {}
    for k, v in pairs(startup_options(ctx.server)) do
      if PUBLIC_OPTIONS[k] then out[k] = v end
    end
    return 200, out
  end, { need = "ro" })
  router:add("PUT", "/_admin/license", function(ctx)
    local body = ctx:json()
    if type(body) ~= "string" or body == "" then ctx:fail(400, 10, "license must be a string") end
    -- no license key can be verified here: every key is as invalid as ArangoDB finds a bad one
    ctx:fail(400, 9001)
  end, admin)
  router:add("GET", "/_admin/crashes", function() return 200, { result = json.array{} } end, admin)
  router:add({ "GET", "DELETE" }, "/_admin/crashes/:id", function(ctx)
    ctx:fail(404, 1202, "crash dump not found")
  end, admin)
  router:add("GET", "/_admin/shutdown", function()
    return 200, { softShutdownOngoing = false, AQLcursors = 0, transactions = 0, pendingJobs = 0,
      doneJobs = 0, pregelConductors = 0, lowPrioOngoingRequests = 0, lowPrioQueuedRequests = 0,
      allClear = true }
  end, admin)
  router:add("DELETE", "/_admin/shutdown", shutdown, admin)
  router:add("GET", "/_api/endpoint", function(ctx)
    only_system(ctx)
    local st = ctx.server
    local endpoint = "http://" .. (st.host or "127.0.0.1") .. ":" .. tostring(st.port or 0)
    return 200, json.array{ { endpoint = endpoint } }
  end, admin)
  -- JWT secrets are never loaded from files here: like a server started without
  -- --server.jwt-secret-keyfile/folder
  router:add({ "GET", "POST" }, "/_admin/server/jwt", function(ctx)
    ctx:fail(403, 11, "JWT secrets are not loaded from files on this server")
  end, admin)
  router:add("GET", "/_admin/deployment/id", function(ctx)
    return 200, { id = server_id(ctx.server) }
  end, admin)
end

return M
