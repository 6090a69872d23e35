-- /_api/cursor: runs AQL queries and hands their results out in batches.
-- POST /_api/cursor creates a cursor (201); PUT|POST /_api/cursor/{id} fetch the next batch;
-- POST /_api/cursor/{id}/{batchId} re-reads a batch (allowRetry); DELETE disposes of it.
-- Cursors live in the server's AQL state, expire after `ttl` seconds of idleness (404/1600).
--
-- Queries run cooperatively: the engine calls `yield_every` every 256 rows and we hand the
-- event loop a turn about every 5 ms of work (devserver/scheduler.lua), so other requests are
-- served meanwhile and GET /_api/query/current can list, and DELETE /_api/query/{id} kill, a
-- running query. `stream: true` queries are opened lazily (aql.open): each fetch computes
-- just its batch, and the query stays listed as running until its cursor is exhausted.
local aql_state = require "arango.devserver.aql.state"
local V = require "arango.devserver.aql.values"
local errors = require "arango.devserver.errors"
local scheduler = require "arango.devserver.scheduler"
local uv = require "luv"

local M = {}

-- The engine is loaded on first use so that the server starts even while parts of the
-- function library are missing.
local function engine() return require "arango.devserver.aql" end

local array_mt = V.array_mt
local DEFAULT_TTL = 30
local DEFAULT_BATCH = 1000

local function now() return aql_state.now() end

-- Nanoseconds of query work between two turns of the event loop.
local SLICE_NS = 5 * 1000 * 1000

-- The engine's yield_every hook: yields to the loop when the current slice is used up.
-- A client that went away meanwhile (`ctx.disconnected`, set by the HTTP layer when the
-- socket of a pending request closes) kills its query, as ArangoDB does.
local function yielder(ctx, control)
  local last = uv.hrtime()
  return function()
    local t = uv.hrtime()
    if t - last >= SLICE_NS then
      scheduler.pause()
      last = uv.hrtime()
      if ctx and ctx.disconnected then control.killed = true end
    end
  end
end

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

local function dispose(s, c)
  s.cursors[c.id] = nil
  -- a streaming query given up before its end rolls its writes back
  if c.open and not c.done and c.open.close then c.open.close() end
  if c.entry then
    aql_state.finish(s, c.db_name, c.entry)
    c.entry = nil
  end
end

local function sweep(s)
  local t = now()
  for _, c in pairs(s.cursors) do
    if c.expires < t and not c.busy then dispose(s, c) end
  end
end

-- The next rows of `c`: a slice of its result, or (streaming) the next rows of its query.
local function take(s, c)
  if not c.open then
    local n = #c.result
    local to = math.min(n, c.pos + c.batch_size)
    local batch = {}
    for i = c.pos + 1, to do batch[#batch + 1] = c.result[i] end
    c.pos = to
    return setmetatable(batch, array_mt), to < n
  end
  if c.done then return setmetatable({}, array_mt), false end
  if c.busy then errors.raise(409, 1601, "cursor is busy") end
  c.busy = true
  local ok, batch, has_more = pcall(c.open.fetch, c.batch_size)
  c.busy = false
  if not ok then
    -- killed, past maxRuntime, or a runtime error: the cursor is gone with its query
    dispose(s, c)
    error(batch, 0)
  end
  if not has_more then c.done = true end
  return batch, has_more
end

-- `extra` of a streaming query, known once it is exhausted.
local function stream_extra(c)
  local q = c.open.query
  return { warnings = c.open.warnings(), stats = q.stats }
end

-- Builds the response for the next batch of `c` and advances it.
local function next_batch(s, c, code)
  local batch, has_more = take(s, c)
  c.batch_id = c.batch_id + 1
  local body = {
    result = batch,
    hasMore = has_more,
    cached = c.cached,
    error = false,
    code = code,
  }
  if c.open then
    -- a streaming query's statistics and warnings come with its last batch (as in ArangoDB)
    if not has_more then
      c.extra = stream_extra(c)
      body.extra = c.extra
    end
  else
    body.extra = c.extra
  end
  if has_more or code == 200 then body.id = c.id end
  if c.count then body.count = #c.result end
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
  -- kill flag and cooperative hooks: the engine checks control.killed on its ticks
  qopts.control = entry or {}
  qopts.yield_every = yielder(ctx, qopts.control)
  qopts.sleep = scheduler.sleep

  if stream then
    if entry then tracking.current[entry.id] = entry end
    local ok, cur = pcall(aql.open, ctx.db, query, bind_vars, qopts)
    if not ok then
      if entry then aql_state.finish(s, ctx.db_name, entry) end
      error(cur, 0)
    end
    local c = {
      id = aql_state.new_id(s), db_name = ctx.db_name, user = ctx.user, open = cur, pos = 0,
      batch_size = batch_size, ttl = ttl, count = false, allow_retry = allow_retry,
      cached = false, batch_id = 0, stream = true, entry = entry,
    }
    -- registered before the first batch runs, so that a kill reaches it while it computes
    s.cursors[c.id] = c
    local resp, has_more = next_batch(s, c, 201)
    if not has_more then
      if c.entry then aql_state.finish(s, ctx.db_name, c.entry); c.entry = nil end
      if not allow_retry then s.cursors[c.id] = nil end
    end
    return 201, resp
  end

  if hit then
    result, cached = hit.result, true
    extra = { warnings = setmetatable({}, array_mt), stats = {} }
  else
    if entry then tracking.current[entry.id] = entry end
    local ok, r = pcall(aql.query, ctx.db, query, bind_vars, qopts)
    if entry then
      entry.peakMemoryUsage = ok and r.stats.peakMemoryUsage or entry.peakMemoryUsage
      aql_state.finish(s, ctx.db_name, entry)
    end
    if not ok then error(r, 0) end
    result, cached = r.result, false
    extra = { warnings = r.warnings, stats = r.stats }
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
  end

  local c = {
    id = aql_state.new_id(s), db_name = ctx.db_name, user = ctx.user, result = result, pos = 0,
    batch_size = batch_size, ttl = ttl, count = count, allow_retry = allow_retry,
    cached = cached, extra = extra, batch_id = 0, stream = false,
  }
  local resp, has_more = next_batch(s, c, 201)
  if has_more or allow_retry then s.cursors[c.id] = c end
  return 201, resp
end

local function find(ctx)
  local s = aql_state.get(ctx.server)
  local id = ctx.params.id
  local c = s.cursors[id]
  if c and c.expires < now() and not c.busy then
    dispose(s, c)
    c = nil
  end
  if not c or not owner_ok(c, ctx) then errors.raise(404, 1600, "cursor not found") end
  return s, c
end

-- A killed streaming query answers its next fetch with the killed error and is gone.
local function check_killed(s, c)
  if c.killed or (c.entry and c.entry.killed) then
    dispose(s, c)
    errors.raise(410, 1500, "query killed")
  end
end

-- True when every batch of `c` has been handed out.
local function exhausted(c)
  if c.open then return c.done end
  return c.pos >= #c.result
end

local function fetch(ctx)
  local s, c = find(ctx)
  check_killed(s, c)
  if c.batch_id > 0 and exhausted(c) and not c.last.hasMore then
    -- exhausted cursor kept only for allowRetry re-reads
    errors.raise(404, 1600, "cursor not found")
  end
  local resp, has_more = next_batch(s, c, 200)
  if not has_more then
    if c.entry then aql_state.finish(s, c.db_name, c.entry); c.entry = nil end
    if not c.allow_retry then dispose(s, c) end
  end
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
  if want == c.batch_id + 1 and not exhausted(c) then
    check_killed(s, c)
    local resp, has_more = next_batch(s, c, 200)
    if not has_more and c.entry then aql_state.finish(s, c.db_name, c.entry); c.entry = nil end
    return 200, resp
  end
  errors.raise(404, 1600, "cursor not found: batch " .. tostring(want) .. " is not available")
end

local function delete(ctx)
  local s, c = find(ctx)
  -- a fetch still computing this cursor's batch stops at its next tick
  if c.busy and c.entry then c.entry.killed = true end
  dispose(s, c)
  return 202, { id = c.id, error = false, code = 202 }
end

--- Kills the query `id` of database `db_name` (used by DELETE /_api/query/{id}): a running
-- query stops at its next tick, a streaming query's cursor answers its next fetch with 1500.
function M.kill(server, db_name, id)
  local s = aql_state.get(server)
  local found = false
  local e = aql_state.tracking(s, db_name).current[id]
  if e then
    e.killed = true
    found = true
  end
  for _, c in pairs(s.cursors) do
    if c.entry and c.entry.id == id and c.db_name == db_name then
      c.killed = true
      found = true
    end
  end
  return found
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
