-- Per-server AQL state shared by the cursor, query and query-cache endpoints: open cursors,
-- query tracking (current/slow queries and their properties) and the query results cache.
local V = require "arango.devserver.aql.values"

local M = {}

local function now()
  local ok, uv = pcall(require, "luv")
  if ok then
    local s, us = uv.gettimeofday()
    return s + us / 1e6
  end
  return os.time()
end
M.now = now

--- ISO 8601 UTC timestamp (seconds precision) like ArangoDB's "started" fields.
function M.iso(t)
  return os.date("!%Y-%m-%dT%H:%M:%SZ", math.floor(t))
end

--- The AQL state of a server state table (created on first use).
function M.get(server)
  local s = server.aql
  if s then return s end
  s = {
    cursors = {},
    next_id = 1000 + math.random(1, 999) * 1000,
    tracking = {},       -- db name -> { properties, slow = {...}, current = {id -> entry} }
    cache = { mode = "off", maxResults = 128, maxResultsSize = 268435456, maxEntrySize = 16777216,
      includeSystem = false, entries = {}, order = {} },
  }
  server.aql = s
  return s
end

function M.new_id(s)
  s.next_id = s.next_id + 1
  return tostring(s.next_id)
end

--- Tracking data of database `db_name`.
function M.tracking(s, db_name)
  local t = s.tracking[db_name]
  if not t then
    t = {
      properties = { enabled = true, trackSlowQueries = true, trackBindVars = true, maxSlowQueries = 64,
        slowQueryThreshold = 10, slowStreamingQueryThreshold = 10, maxQueryStringLength = 4096 },
      slow = {},
      current = {},
    }
    s.tracking[db_name] = t
  end
  return t
end

-- The query-tracking entry ArangoDB lists for /_api/query/current and /slow.
function M.query_entry(s, db_name, query, bind_vars, user, stream)
  local t = M.tracking(s, db_name)
  local q = query
  if #q > t.properties.maxQueryStringLength then q = q:sub(1, t.properties.maxQueryStringLength) end
  return {
    id = M.new_id(s), database = db_name, user = user or "root", query = q,
    bindVars = t.properties.trackBindVars and (bind_vars or {}) or {},
    started = now(), runTime = 0, peakMemoryUsage = 0, state = "executing", stream = stream or false,
  }
end

function M.entry_json(e)
  local rt = e.finished and (e.finished - e.started) or (now() - e.started)
  return { id = e.id, database = e.database, user = e.user, query = e.query, bindVars = e.bindVars,
    started = M.iso(e.started), runTime = rt, peakMemoryUsage = e.peakMemoryUsage or 0,
    state = e.finished and "finished" or e.state, stream = e.stream }
end

--- Records a finished query as slow when it ran longer than the threshold.
function M.finish(s, db_name, entry)
  entry.finished = now()
  local t = M.tracking(s, db_name)
  t.current[entry.id] = nil
  local p = t.properties
  if not p.enabled or not p.trackSlowQueries then return end
  local threshold = entry.stream and p.slowStreamingQueryThreshold or p.slowQueryThreshold
  if entry.finished - entry.started >= threshold then
    t.slow[#t.slow + 1] = entry
    while #t.slow > p.maxSlowQueries do table.remove(t.slow, 1) end
  end
end

-- Query results cache --------------------------------------------------------------------

local NONDETERMINISTIC = { RAND = true, RANDOM = true, UUID = true, DATE_NOW = true, SLEEP = true,
  FAIL = true, CURRENT_USER = true, CURRENT_DATABASE = true, COLLECTION_COUNT = true, DOCUMENT = true,
  RANDOM_TOKEN = true, NOOPT = true, V8 = true, CALL = true, APPLY = true, ASSERT = true, WARN = true }

-- True when a query's result may be cached (no writes, no non-deterministic functions).
function M.cacheable(ast)
  if ast.has_modification then return false end
  local ok = true
  local function walk(n)
    if not ok or type(n) ~= "table" then return end
    if n.type == "call" and (NONDETERMINISTIC[n.name] or n.name:find("::", 1, true)) then
      ok = false
      return
    end
    if n.type == "traversal" or n.type == "path" then ok = false; return end
    for _, v in pairs(n) do
      if type(v) == "table" then walk(v) end
    end
  end
  walk(ast.body)
  return ok
end

local function revisions(db, names)
  local out = {}
  for _, name in ipairs(names) do
    local col = db:collection(name)
    out[name] = col and (col.revision or 0) or -1
  end
  return out
end

--- Looks up a cached result; nil when absent or stale (a used collection changed since).
function M.cache_get(s, db, key)
  local e = s.cache.entries[db.name .. "\0" .. key]
  if not e then return nil end
  local now_revs = revisions(db, e.dataSources)
  for name, r in pairs(e.revs) do
    if now_revs[name] ~= r then
      s.cache.entries[db.name .. "\0" .. key] = nil
      return nil
    end
  end
  e.hits = e.hits + 1
  return e
end

function M.cache_put(s, db, key, query, bind_vars, result, sources, run_time)
  local c = s.cache
  local size = #V.to_json(result)
  if size > c.maxEntrySize then return end
  local full = db.name .. "\0" .. key
  c.entries[full] = { hash = tostring(#c.order + 1), query = query, bindVars = bind_vars or {},
    size = size, results = #result, hits = 0, runTime = run_time, started = now(),
    dataSources = sources, revs = revisions(db, sources), result = result, db = db.name }
  c.order[#c.order + 1] = full
  -- keep at most maxResults entries (oldest go first)
  local live = {}
  for _, k in ipairs(c.order) do if c.entries[k] then live[#live + 1] = k end end
  while #live > c.maxResults do
    c.entries[table.remove(live, 1)] = nil
  end
  c.order = live
end

function M.cache_clear(s)
  s.cache.entries = {}
  s.cache.order = {}
end

return M
