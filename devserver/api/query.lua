-- AQL query management: POST /_api/query (parse), /_api/query/current, /_api/query/slow,
-- /_api/query/properties, DELETE /_api/query/{id} (kill), /_api/query/rules.
local aql_state = require "arango.devserver.aql.state"
local errors = require "arango.devserver.errors"
local explain_api = require "arango.devserver.api.explain"
local V = require "arango.devserver.aql.values"

local M = {}

local array_mt = V.array_mt
local function arr(t) return setmetatable(t or {}, array_mt) end

local function parse(ctx)
  local _, query = explain_api.query_body(ctx)
  local r = require("arango.devserver.aql.explain").parse_result(query)
  r.error = false
  r.code = 200
  return 200, r
end

local function list(entries)
  local out = {}
  for _, e in ipairs(entries) do out[#out + 1] = aql_state.entry_json(e) end
  return arr(out)
end

local function current(ctx)
  local t = aql_state.tracking(aql_state.get(ctx.server), ctx.db_name)
  local entries = {}
  for _, e in pairs(t.current) do entries[#entries + 1] = e end
  table.sort(entries, function(a, b) return a.started < b.started end)
  return 200, list(entries)
end

local function slow(ctx)
  local t = aql_state.tracking(aql_state.get(ctx.server), ctx.db_name)
  return 200, list(t.slow)
end

local function clear_slow(ctx)
  local t = aql_state.tracking(aql_state.get(ctx.server), ctx.db_name)
  t.slow = {}
  return 200, { error = false, code = 200 }
end

local BOOL_PROPS = { enabled = true, trackSlowQueries = true, trackBindVars = true }
local NUM_PROPS = { maxSlowQueries = true, slowQueryThreshold = true, slowStreamingQueryThreshold = true,
  maxQueryStringLength = true }

local function properties(ctx)
  local t = aql_state.tracking(aql_state.get(ctx.server), ctx.db_name)
  return 200, t.properties
end

local function set_properties(ctx)
  local body = ctx:json()
  if type(body) ~= "table" or getmetatable(body) == array_mt then
    errors.raise(400, 10, "expecting object")
  end
  local t = aql_state.tracking(aql_state.get(ctx.server), ctx.db_name)
  local p = t.properties
  for k, v in pairs(body) do
    if BOOL_PROPS[k] then
      if type(v) ~= "boolean" then errors.raise(400, 10, "expecting boolean value for <" .. k .. ">") end
    elseif NUM_PROPS[k] then
      if type(v) ~= "number" or v < 0 then errors.raise(400, 10, "expecting number for <" .. k .. ">") end
    end
  end
  for k, v in pairs(body) do
    if BOOL_PROPS[k] or NUM_PROPS[k] then p[k] = v end
  end
  while #t.slow > p.maxSlowQueries do table.remove(t.slow, 1) end
  return 200, p
end

local function kill(ctx)
  local id = ctx.params.id
  local s = aql_state.get(ctx.server)
  local t = aql_state.tracking(s, ctx.db_name)
  local e = t.current[id]
  if not e then errors.raise(404, 1591, "query ID not found") end
  require("arango.devserver.api.cursor").kill(ctx.server, ctx.db_name, id)
  e.state = "killed"
  return 200, { error = false, code = 200 }
end

-- A representative subset of ArangoDB 3.12's optimizer rules (the devserver applies none).
local RULES = {
  { "move-calculations-up", "Move calculations up in the processing pipeline as far as possible." },
  { "move-filters-up", "Move filters up in the processing pipeline as far as possible." },
  { "remove-redundant-calculations", "Replace references to redundant calculations with the results of " ..
    "other calculations." },
  { "remove-unnecessary-filters", "Remove FILTER conditions that always evaluate to true." },
  { "remove-unnecessary-calculations", "Remove calculations whose result is not referenced in the query." },
  { "remove-redundant-sorts", "Remove redundant sort blocks." },
  { "interchange-adjacent-enumerations", "Reorder adjacent FOR loops to improve performance." },
  { "use-indexes", "Use indexes to iterate over collections." },
  { "remove-filter-covered-by-index", "Replace or remove FILTER conditions that are covered by indexes." },
  { "use-index-for-sort", "Use indexes to avoid SORT operations." },
  { "inline-subqueries", "Try to pull subqueries out into their surrounding scope." },
  { "late-document-materialization", "Try to read from collections as late as possible." },
  { "optimize-traversals", "Try to move FILTER conditions into traversal nodes." },
  { "remove-collect-variables", "Remove INTO and AGGREGATE clauses from COLLECT operations if the " ..
    "result is not used." },
  { "splice-subqueries", "Appends a new subquery node to the query execution plan." },
}

local function rules()
  local out = {}
  for i, r in ipairs(RULES) do
    out[i] = { name = r[1], description = r[2], flags = { hidden = false, clusterOnly = false,
      canBeDisabled = true, canCreateAdditionalPlans = false, disabledByDefault = false,
      enterpriseOnly = false } }
  end
  return 200, arr(out)
end

function M.register(router)
  router:add("POST", "/_api/query", parse)
  router:add("GET", "/_api/query/current", current)
  router:add("GET", "/_api/query/slow", slow)
  router:add("DELETE", "/_api/query/slow", clear_slow)
  router:add("GET", "/_api/query/properties", properties)
  router:add("PUT", "/_api/query/properties", set_properties)
  router:add("GET", "/_api/query/rules", rules)
  router:add("DELETE", "/_api/query/:id", kill)
end

return M
