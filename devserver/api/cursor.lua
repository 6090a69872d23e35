-- /_api/cursor: runs AQL queries and hands their results out in batches.
-- POST /_api/cursor creates a cursor (201); PUT|POST /_api/cursor/{id} fetch the next batch;
-- POST /_api/cursor/{id}/{batchId} re-reads a batch (allowRetry); DELETE disposes of it.
-- Cursors live in the server's AQL state, expire after `ttl` seconds of idleness (404/1600).
local aql_state = require "arango.devserver.aql.state"
local V = require "arango.devserver.aql.values"
local errors = require "arango.devserver.errors"

local M = {}

-- The engine is loaded on first use so that the server starts even while parts of the
-- function library are missing.
local function engine() return require "arango.devserver.aql" end

local array_mt = V.array_mt
local DEFAULT_TTL = 30
local DEFAULT_BATCH = 1000

local function now() return aql_state.now() end

local function is_object(v) return type(v) == "table" and getmetatable(v) ~= array_mt end

local function bad(msg) errors.raise(400, 10, msg) end

-- Reads an optional option of a given Lua type.
local function opt(t, name, kind)
  local v = t[name]
  if v == nil or v == V.null then return nil end
  if kind == "number" and type(v) ~= "number" then bad("expecting number for <" .. name .. ">") end
  if kind == "boolean" and type(v) ~= "boolean" then bad("expecting boolean value for <" .. name .. ">") end
  return v
end

local function sweep(s)
  local t = now()
  for id, c in pairs(s.cursors) do
    if c.expires < t then
      s.cursors[id] = nil
      if c.entry then aql_state.finish(s, c.db_name, c.entry) end
    end
  end
end

-- Builds the response for the next batch of `c` and advances it.
local function next_batch(c, code)
  local n = #c.result
  local from = c.pos + 1
  local to = math.min(n, c.pos + c.batch_size)
  local batch = {}
  for i = from, to do batch[#batch + 1] = c.result[i] end
  c.pos = to
  local has_more = to < n
  c.batch_id = c.batch_id + 1
  local body = {
    result = setmetatable(batch, array_mt),
    hasMore = has_more,
    cached = c.cached,
    extra = c.extra,
    error = false,
    code = code,
  }
  if has_more or code == 200 then body.id = c.id end
  if c.count then body.count = n end
  if c.allow_retry and has_more then body.nextBatchId = tostring(c.batch_id + 1) end
  c.last = body
  c.expires = now() + c.ttl
  return body, has_more
end

-- ctx.user may be nil when authentication is off.
local function owner_ok(c, ctx)
  return c.db_name == ctx.db_name and (c.user == nil or ctx.user == nil or c.user == ctx.user)
end

local function profile_of(started, parsed, finished)
  return {
    initializing = 0, parsing = parsed - started, ["optimizing ast"] = 0, ["loading collections"] = 0,
    ["instantiating plan"] = 0, ["optimizing plan"] = 0, ["instantiating executors"] = 0,
    executing = finished - parsed, finalizing = 0,
  }
end

local function create(ctx)
  local body = ctx:json()
  if body == nil then errors.raise(400, 1502, "query is empty") end
  if not is_object(body) then errors.raise(400, 1502, "query is empty") end
  local query = body.query
  if query == nil or query == V.null or (type(query) == "string" and query:match("^%s*$")) then
    errors.raise(400, 1502, "query is empty")
  end
  if type(query) ~= "string" then bad("expecting string for <query>") end
  local options = body.options
  if options == nil or options == V.null then options = {} end
  if not is_object(options) then bad("expecting object for <options>") end
  local bind_vars = body.bindVars
  if bind_vars == V.null then bind_vars = nil end
  if bind_vars ~= nil and not is_object(bind_vars) then
    errors.raise(400, 1553, "bind parameters must be an object")
  end
  local batch_size = opt(body, "batchSize", "number") or DEFAULT_BATCH
  if batch_size <= 0 then bad("expecting non-zero value for <batchSize>") end
  batch_size = math.floor(batch_size)
  local ttl = opt(body, "ttl", "number") or DEFAULT_TTL
  if ttl <= 0 then ttl = DEFAULT_TTL end
  local count = opt(body, "count", "boolean") or false
  local stream = opt(options, "stream", "boolean") or false
  local allow_retry = opt(options, "allowRetry", "boolean") or false
  local want_cache = body.cache
  local qopts = {
    fullCount = options.fullCount == true,
    maxRuntime = type(options.maxRuntime) == "number" and options.maxRuntime or nil,
    memoryLimit = type(body.memoryLimit) == "number" and body.memoryLimit or
      (type(options.memoryLimit) == "number" and options.memoryLimit or nil),
    failOnWarning = options.failOnWarning == true,
    maxWarningCount = type(options.maxWarningCount) == "number" and options.maxWarningCount or nil,
    profile = options.profile,
  }
  ctx:need("ro")

  local s = aql_state.get(ctx.server)
  sweep(s)
  local started = now()
  local aql = engine()
  local ast = aql.parse(query)
  local parsed = now()
  -- data-modification queries need write access on the collections they modify
  for name in pairs(ast.modified or {}) do ctx:need("rw", name) end
  for _, bind in ipairs(ast.modified_binds or {}) do
    local name = bind_vars and bind_vars[bind]
    if type(name) == "string" then ctx:need("rw", name) end
  end

  -- query results cache
  local cache = s.cache
  local cache_key
  local use_cache = (cache.mode == "on" and want_cache ~= false)
    or (cache.mode == "demand" and want_cache == true)
  if not stream and use_cache and aql_state.cacheable(ast) then
    cache_key = query .. "\0" .. V.to_json(bind_vars or {}) .. (qopts.fullCount and "\1" or "")
  end
  local result, extra, cached
  local hit = cache_key and aql_state.cache_get(s, ctx.db, cache_key)
  local tracking = aql_state.tracking(s, ctx.db_name)
  local entry = tracking.properties.enabled and
    aql_state.query_entry(s, ctx.db_name, query, bind_vars, ctx.user, stream) or nil
  if hit then
    result, cached = hit.result, true
    extra = { warnings = setmetatable({}, array_mt), stats = {} }
  else
    if entry then tracking.current[entry.id] = entry end
    local ok, r = pcall(aql.query, ctx.db, query, bind_vars, qopts)
    if not ok then
      if entry then aql_state.finish(s, ctx.db_name, entry) end
      error(r, 0)
    end
    result, cached = r.result, false
    extra = { warnings = r.warnings, stats = r.stats }
    if entry then entry.peakMemoryUsage = r.stats.peakMemoryUsage end
    local finished = now()
    if qopts.profile and qopts.profile ~= false and qopts.profile ~= 0 then
      extra.profile = profile_of(started, parsed, finished)
      if type(qopts.profile) == "number" and qopts.profile >= 2 then
        local explain = require "arango.devserver.aql.explain"
        local okp, plan = pcall(explain.plan, ctx.db, query, bind_vars, {})
        if okp then
          extra.plan = plan
          local nodes = {}
          for i, n in ipairs(plan.nodes) do
            nodes[i] = { id = n.id, calls = 1, parallel = 0, items = n.estimatedNrItems, filtered = 0,
              runtime = 0, fetching = 0 }
          end
          r.stats.nodes = setmetatable(nodes, array_mt)
        end
      end
    end
    if cache_key then
      local sources = {}
      for name in pairs(ast.collections) do sources[#sources + 1] = name end
      for name in pairs(ast.bindcol_names) do
        local v = bind_vars and bind_vars["@" .. name]
        if type(v) == "string" then sources[#sources + 1] = v end
      end
      table.sort(sources)
      aql_state.cache_put(s, ctx.db, cache_key, query, bind_vars, result, sources, finished - started)
    end
    -- streaming queries stay "running" (and killable) while their cursor is open
    if entry and not stream then aql_state.finish(s, ctx.db_name, entry) end
  end

  local c = {
    id = aql_state.new_id(s), db_name = ctx.db_name, user = ctx.user, result = result, pos = 0,
    batch_size = batch_size, ttl = ttl, count = count and not stream, allow_retry = allow_retry,
    cached = cached, extra = extra, batch_id = 0, stream = stream,
    entry = stream and entry or nil,
  }
  local resp, has_more = next_batch(c, 201)
  if has_more or allow_retry then
    s.cursors[c.id] = c
  elseif c.entry then
    aql_state.finish(s, ctx.db_name, c.entry)
  end
  return 201, resp
end

local function find(ctx)
  local s = aql_state.get(ctx.server)
  local id = ctx.params.id
  local c = s.cursors[id]
  if c and c.expires < now() then
    s.cursors[id] = nil
    if c.entry then aql_state.finish(s, c.db_name, c.entry) end
    c = nil
  end
  if not c or not owner_ok(c, ctx) then errors.raise(404, 1600, "cursor not found") end
  return s, c
end

local function dispose(s, c)
  s.cursors[c.id] = nil
  if c.entry then aql_state.finish(s, c.db_name, c.entry) end
end

local function fetch(ctx)
  local s, c = find(ctx)
  if c.killed then
    dispose(s, c)
    errors.raise(410, 1500, "query killed")
  end
  if c.pos >= #c.result and c.batch_id > 0 and not c.last.hasMore then
    -- exhausted cursor kept only for allowRetry re-reads
    errors.raise(404, 1600, "cursor not found")
  end
  local resp, has_more = next_batch(c, 200)
  if not has_more and not c.allow_retry then dispose(s, c) end
  if not has_more and c.entry then aql_state.finish(s, c.db_name, c.entry); c.entry = nil end
  return 200, resp
end

local function fetch_batch(ctx)
  local s, c = find(ctx)
  local want = tonumber(ctx.params.batch)
  if not want or want ~= math.floor(want) then bad("invalid batch id") end
  if not c.allow_retry then
    errors.raise(400, 10, "allowRetry option not set for cursor")
  end
  if want == c.batch_id then
    c.expires = now() + c.ttl
    local again = {}
    for k, v in pairs(c.last) do again[k] = v end
    again.code = 200
    again.id = c.id
    return 200, again
  end
  if want == c.batch_id + 1 and (c.pos < #c.result) then
    local resp = next_batch(c, 200)
    local _ = s
    return 200, resp
  end
  errors.raise(404, 1600, "cursor not found: batch " .. tostring(want) .. " is not available")
end

local function delete(ctx)
  local s, c = find(ctx)
  dispose(s, c)
  return 202, { id = c.id, error = false, code = 202 }
end

--- Kills the streaming query `id` of database `db_name` (used by DELETE /_api/query/{id}).
function M.kill(server, db_name, id)
  local s = aql_state.get(server)
  for _, c in pairs(s.cursors) do
    if c.entry and c.entry.id == id and c.db_name == db_name then
      c.killed = true
      return true
    end
  end
  return false
end

function M.register(router)
  -- computedValues expressions of collections are AQL: let the store evaluate them with the engine
  local ok, store = pcall(require, "arango.devserver.store")
  if ok and store.set_computed_evaluator then
    store.set_computed_evaluator(function(expression, doc, db)
      return engine().evaluate_computed(expression, doc, db)
    end)
  end
  router:add("POST", "/_api/cursor", create)
  router:add("PUT", "/_api/cursor", function()
    errors.raise(400, 400, "expecting POST /_api/cursor/<cursor-id>")
  end)
  router:add({ "PUT", "POST" }, "/_api/cursor/:id", fetch)
  router:add("POST", "/_api/cursor/:id/:batch", fetch_batch)
  router:add("DELETE", "/_api/cursor/:id", delete)
  router:add("DELETE", "/_api/cursor", function()
    errors.raise(400, 400, "expecting DELETE /_api/cursor/<cursor-id>")
  end)
end

return M
