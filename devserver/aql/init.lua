-- The AQL engine's entry point: aql.query(db, query_string, bind_vars, options).
-- A Query object carries everything an execution needs (database, bind values, warnings,
-- statistics, limits) and is the `ctx` handed to AQL functions (ctx:warn, ctx:fail, ctx.db,
-- ctx:call, ctx.now).
local parser = require "arango.devserver.aql.parser"
local executor = require "arango.devserver.aql.executor"
local compiler = require "arango.devserver.aql.compiler"
local functions = require "arango.devserver.aql.functions"
local V = require "arango.devserver.aql.values"
local errors = require "arango.devserver.errors"

local M = {}

local null = V.null
local array_mt = V.array_mt

-- HTTP status of errors raised with a bare errorNum.
local STATUS = { [1202] = 404, [1203] = 404, [1200] = 409, [1210] = 409, [1500] = 410, [1591] = 404,
  [1600] = 404, [1582] = 404, [32] = 400 }

local function clock()
  local ok, uv = pcall(require, "luv")
  if ok and uv.hrtime then return function() return uv.hrtime() / 1e9 end end
  return os.clock
end
local now_mono = clock()

local function wall_now()
  local ok, uv = pcall(require, "luv")
  if ok and uv.gettimeofday then
    local s, us = uv.gettimeofday()
    return s + us / 1e6
  end
  return os.time()
end

-- Bind values arrive from the JSON decoder; integral doubles become integers (AQL numbers).
local function normalize_value(v)
  local t = type(v)
  if t == "number" then return V.normalize_number(v) end
  if t == "table" then
    local out = {}
    for k, x in pairs(v) do out[k] = normalize_value(x) end
    if getmetatable(v) == array_mt then setmetatable(out, array_mt) end
    return out
  end
  return v
end

local Query = {}
Query.__index = Query

local function new_query(db, ast, bind_vars, options)
  options = options or {}
  local q = setmetatable({
    db = db,
    ast = ast,
    query_string = ast and ast.query,
    bind = bind_vars or {},
    options = options,
    warnings = {},
    stats = { writesExecuted = 0, writesIgnored = 0, documentLookups = 0, seeks = 0, scannedFull = 0,
      scannedIndex = 0, searchParallelism = 1, cursorsCreated = 0, cursorsRearmed = 0, cacheHits = 0,
      cacheMisses = 0, filtered = 0, httpRequests = 0, executionTime = 0, peakMemoryUsage = 0,
      intermediateCommits = 0 },
    memory = 0,
    memory_limit = tonumber(options.memoryLimit) or 0,
    max_warnings = tonumber(options.maxWarningCount) or 10,
    fail_on_warning = options.failOnWarning == true,
    started = now_mono(),
    max_runtime = tonumber(options.maxRuntime) or 0,
    ticks = 0,
    node_ids = 1,
    written = {},
    killed = false,
  }, Query)
  q.now = wall_now
  return q
end
M.new_query = new_query

-- ctx interface for functions --------------------------------------------------------------

function Query:warn(num, message)
  if self.fail_on_warning then
    errors.raise(STATUS[num] or 400, num, message)
  end
  if #self.warnings < self.max_warnings then
    self.warnings[#self.warnings + 1] = { code = num, message = message or errors.message(num) }
  end
end

function Query:fail(num, message) -- luacheck: ignore 212
  errors.raise(STATUS[num] or 400, num, message or errors.message(num))
end

function Query:call(name, args)
  local e = functions.lookup(name)
  if not e then self:fail(1540, string.format("usage of unknown function '%s()'", name)) end
  local v = e.call(self, args, #args)
  if v == nil then return null end
  return v
end

-- engine services --------------------------------------------------------------------------

function Query:parse_fail(num, message) -- luacheck: ignore 212
  errors.raise(STATUS[num] or 400, num, message .. " (while parsing)")
end

function Query:runtime_fail(status, num, message) -- luacheck: ignore 212
  errors.raise(status, num, "AQL: " .. message .. " (while executing)")
end

function Query:bind_value(name)
  local v = self.bind[name]
  if v == nil then
    self:parse_fail(1551, string.format("no value specified for declared bind parameter '%s'", name))
  end
  return v
end

function Query:bindcol_value(name)
  local v = self.bind["@" .. name]
  if v == nil then
    self:parse_fail(1551, string.format("no value specified for declared bind parameter '@%s'", name))
  end
  if type(v) == "table" and not V.is_array(v) and type(v.name) == "string" then v = v.name end
  if type(v) ~= "string" or v == "" then
    self:parse_fail(1553, string.format("bind parameter '@%s' has an invalid value or type", name))
  end
  self:check_collection(v)
  return v
end

function Query:collection(name)
  local col = self.db and self.db:collection(name)
  if not col then
    errors.raise(404, 1203, string.format("AQL: collection or view not found: %s (while parsing)", name))
  end
  return col
end

function Query:check_collection(name)
  self:collection(name)
end

function Query:scan(name)
  return self:collection(name):iterate()
end

--- All documents of a collection as an array (a collection name used as an expression).
function Query:collection_array(name)
  local out = {}
  for d in self:scan(name) do out[#out + 1] = d end
  self.stats.scannedFull = self.stats.scannedFull + #out
  return setmetatable(out, array_mt)
end

function Query:note_write(name)
  self.written[name] = true
end

function Query:next_node_id()
  self.node_ids = self.node_ids + 2
  return self.node_ids
end

-- The error of a killed query (DELETE /_api/query/{id}) and of one past its maxRuntime:
-- ArangoDB answers both with 410 and errorNum 1500.
local function killed_error()
  errors.raise(410, 1500, "AQL: query killed (while executing)")
end

--- Raises the killed error when the query was killed (`killed`, or `options.control.killed`
-- set by the query tracker) or ran past its maxRuntime.
function Query:check_limits()
  local control = self.options.control
  if self.killed or (control and control.killed) then killed_error() end
  if self.max_runtime > 0 and now_mono() - self.started > self.max_runtime then killed_error() end
end

-- Runtime limits: checked every 256 rows so the per-row cost stays tiny.
function Query:tick()
  local t = self.ticks + 1
  self.ticks = t
  if t % 256 ~= 0 then return end
  self:check_limits()
  if self.hook then self.hook(self) end
  -- cooperative execution: the caller (e.g. a cursor handler on the event loop) may yield here;
  -- the query may have been killed meanwhile
  local y = self.options.yield_every
  if type(y) == "function" then
    y(t)
    self:check_limits()
  end
end

-- SLEEP waits in slices so that a kill or maxRuntime ends it early.
local SLEEP_SLICE = 0.05

--- Waits `seconds` (AQL SLEEP): through `options.sleep(seconds)` when the caller gave one
-- (the devserver lets the event loop run meanwhile), else blocking.
function Query:sleep(seconds)
  local sleep = self.options.sleep
  if type(sleep) ~= "function" then
    sleep = function(s)
      local ok, uv = pcall(require, "luv")
      if ok then uv.sleep(math.floor(s * 1000 + 0.5)) end
    end
  end
  local deadline = now_mono() + seconds
  self:check_limits()
  while true do
    local left = deadline - now_mono()
    if left <= 0 then break end
    sleep(math.min(left, SLEEP_SLICE))
    self:check_limits()
  end
end

function Query:account(bytes)
  self.memory = self.memory + bytes
  if self.memory > self.stats.peakMemoryUsage then self.stats.peakMemoryUsage = self.memory end
  if self.memory_limit > 0 and self.memory > self.memory_limit then
    errors.raise(400, 32, string.format(
      "query would use more memory than allowed (limit: %d bytes) (while executing)", self.memory_limit))
  end
end

--- Compiles a subquery body: returns function(row) -> array of its RETURN values.
function Query:compile_subquery(body)
  local run = executor.compile_body(body, self, false)
  return function(row)
    local it = run(row)
    local out = {}
    local n = 0
    while true do
      local v = it()
      if v == nil then break end
      n = n + 1
      out[n] = v
    end
    return setmetatable(out, array_mt)
  end
end

-- User-defined (JavaScript) functions are stored by /_api/aqlfunction but the devserver has no
-- JavaScript engine: calling one fails with 1583 naming the function (documented behaviour).
function Query:user_function(node)
  local store = require "arango.devserver.aql.user_functions"
  local name = node.raw_name
  if not store.get(self.db, name) then
    self:parse_fail(1582, string.format("user function '%s()' not found", name:upper()))
  end
  return function()
    errors.raise(400, 1583, string.format(
      "user function runtime error: the devserver cannot execute JavaScript user function '%s()'",
      name:upper()))
  end
end

-- Bind parameter checks as ArangoDB does them before execution.
function Query:validate_binds()
  local ast = self.ast
  for name in pairs(ast.bind_names) do
    if self.bind[name] == nil then
      self:parse_fail(1551, string.format("no value specified for declared bind parameter '%s'", name))
    end
  end
  for name in pairs(ast.bindcol_names) do
    if self.bind["@" .. name] == nil then
      self:parse_fail(1551, string.format("no value specified for declared bind parameter '@%s'", name))
    end
  end
  for name in pairs(self.bind) do
    if type(name) ~= "string" then
      self:parse_fail(1553, "bind parameter has an invalid value or type")
    end
    local used
    if name:sub(1, 1) == "@" then used = ast.bindcol_names[name:sub(2)] else used = ast.bind_names[name] end
    if not used then
      self:parse_fail(1552, string.format("bind parameter '%s' was not declared in the query", name))
    end
  end
  local norm = {}
  for k, v in pairs(self.bind) do norm[k] = normalize_value(v) end
  self.bind = norm
end

-- Collections named literally must exist (1203 at parse time, like ArangoDB).
function Query:validate_collections()
  for name in pairs(self.ast.collections) do
    self:check_collection(name)
  end
end

-- public API -------------------------------------------------------------------------------

--- Parses a query (raises 1501/1502 errors). Returns the AST table of parser.parse.
function M.parse(query)
  return parser.parse(query)
end

--- Prepares a query for execution: parse, check binds and collections, compile.
-- Returns the Query object and a `run` function producing an iterator of result values.
function M.prepare(db, query, bind_vars, options)
  local ast = parser.parse(query)
  if bind_vars ~= nil and (type(bind_vars) ~= "table" or V.is_array(bind_vars)) then
    errors.raise(400, 1553, "bind parameters must be an object")
  end
  local q = new_query(db, ast, bind_vars, options)
  q:validate_binds()
  q:validate_collections()
  -- a query that writes is one transaction: committed when it completes, rolled back when it
  -- fails, is killed or runs out of time (the modification nodes pass q.trx to the store)
  if db and db.server and db.server.begin and (next(ast.modified) or #ast.modified_binds > 0) then
    q.trx = db.server:begin()
  end
  local run = executor.compile_body(ast.body, q, true)
  return q, run
end

--- Commits the query's transaction (if it has one).
function Query:commit()
  local trx = self.trx
  if trx and trx:running() then trx:commit() end
end

--- Rolls the query's writes back (if it has a transaction still running).
function Query:abort()
  local trx = self.trx
  if trx and trx:running() then trx:abort() end
end

--- Runs a query to completion.
-- @return { result = array, warnings = array, stats = table, full_count = n|nil, query = Query }
function M.query(db, query, bind_vars, options)
  local q, run = M.prepare(db, query, bind_vars, options)
  local out, n = {}, 0
  local ok, err = pcall(function()
    local it = run({})
    local limit = q.memory_limit
    while true do
      local v = it()
      if v == nil then break end
      n = n + 1
      out[n] = v
      if limit > 0 then q:account(type(v) == "table" and 256 or 16) end
    end
    q:commit()
  end)
  if not ok then
    q:abort()
    error(err, 0)
  end
  q.stats.executionTime = now_mono() - q.started
  if q.options.fullCount then q.stats.fullCount = q.full_count or n end
  return {
    result = setmetatable(out, array_mt),
    warnings = setmetatable(q.warnings, array_mt),
    stats = q.stats,
    full_count = q.full_count,
    query = q,
  }
end

--- Opens a lazily evaluated query (for streaming cursors): rows are produced only as they
-- are fetched. Returns a cursor { query = Query, fetch = function(n) -> array, has_more,
-- close = function() }. Errors surface from fetch (and roll the query's writes back).
-- Statistics are final once has_more is false; the writes are committed then. close()
-- abandons a query that is not exhausted: its writes are rolled back.
function M.open(db, query, bind_vars, options)
  local q, run = M.prepare(db, query, bind_vars, options)
  local ok_run, it = pcall(run, {})
  if not ok_run then
    q:abort()
    error(it, 0)
  end
  local done = false
  local pending_value
  local cursor = { query = q }
  local function pull()
    if pending_value ~= nil then
      local v = pending_value
      pending_value = nil
      return v
    end
    if done then return nil end
    local v = it()
    if v == nil then
      q:commit()
      done = true
      q.stats.executionTime = now_mono() - q.started
      if q.options.fullCount then q.stats.fullCount = q.full_count end
    end
    return v
  end
  local function fetch(n)
    local out = {}
    for i = 1, n do
      local v = pull()
      if v == nil then break end
      out[i] = v
    end
    -- look ahead one row so that has_more is exact, as ArangoDB's hasMore is
    if not done and pending_value == nil then pending_value = pull() end
    return setmetatable(out, array_mt), pending_value ~= nil
  end
  --- The next (up to) n result values; has_more tells whether more may follow.
  function cursor.fetch(n)
    local ok, out, has_more = pcall(fetch, n)
    if not ok then
      done = true
      q:abort()
      error(out, 0)
    end
    return out, has_more
  end
  function cursor.close()
    done = true
    q:abort()
  end
  function cursor.warnings() return setmetatable(q.warnings, array_mt) end
  return cursor
end

--- Evaluates a computed-value expression (`RETURN <expr>` using @doc) for document `doc`.
-- The store calls this through store.set_computed_evaluator (registered by api/cursor.lua).
function M.evaluate_computed(expression, doc, db)
  local ast = parser.parse(expression)
  local binds = ast.bind_names.doc and { doc = doc } or {}
  local r = M.query(db, expression, binds, {})
  local v = r.result[1]
  if v == nil then return null end
  return v
end

M.compiler = compiler
M.Query = Query

return M
