-- POST /_api/explain: the execution plan of a query (devserver/aql/explain.lua builds it).
-- Registered by api/query.lua (the server loads API modules by area name).
local errors = require "arango.devserver.errors"
local V = require "arango.devserver.aql.values"

local M = {}

local array_mt = V.array_mt

--- The JSON body of an explain or parse request and its query string; both endpoints answer a
-- missing body, a non-object body and a missing, non-string or blank query with 1502.
function M.query_body(ctx)
  local body = ctx:json()
  if type(body) ~= "table" or getmetatable(body) == array_mt then
    errors.raise(400, 1502, "query is empty")
  end
  local query = body.query
  if type(query) ~= "string" or query:match("^%s*$") then errors.raise(400, 1502, "query is empty") end
  return body, query
end

local function explain(ctx)
  local body, query = M.query_body(ctx)
  local bind_vars = body.bindVars
  if bind_vars == V.null then bind_vars = nil end
  local options = type(body.options) == "table" and body.options or {}
  ctx:need("ro")
  local explainer = require "arango.devserver.aql.explain"
  local plan, q = explainer.plan(ctx.db, query, bind_vars, { fullCount = options.fullCount == true })
  local state = require "arango.devserver.aql.state"
  local resp = {
    cacheable = state.cacheable(q.ast),
    warnings = setmetatable(q.warnings, array_mt),
    stats = { rulesExecuted = #plan.rules, rulesSkipped = 0, plansCreated = 1, peakMemoryUsage = 0,
      executionTime = 0 },
    error = false,
    code = 200,
  }
  if options.allPlans == true then
    resp.plans = setmetatable({ plan }, array_mt)
  else
    resp.plan = plan
  end
  return 200, resp
end

function M.register(router)
  router:add("POST", "/_api/explain", explain)
end

return M
