-- The AQL query results cache (/_api/query-cache, /entries, /properties) and the 3.12 query
-- plan cache listing (/_api/query-plan-cache). Registered by api/query.lua.
local aql_state = require "arango.devserver.aql.state"
local errors = require "arango.devserver.errors"
local V = require "arango.devserver.aql.values"

local M = {}

local array_mt = V.array_mt

local function properties_of(c)
  return { mode = c.mode, maxResults = c.maxResults, maxResultsSize = c.maxResultsSize,
    maxEntrySize = c.maxEntrySize, includeSystem = c.includeSystem }
end

local function set_properties(ctx)
  local body = ctx:json()
  if type(body) ~= "table" or getmetatable(body) == array_mt then
    errors.raise(400, 10, "expecting object")
  end
  if not ctx:is_admin() then errors.raise(403, 11, "forbidden") end
  local c = aql_state.get(ctx.server).cache
  if body.mode ~= nil then
    if body.mode ~= "on" and body.mode ~= "off" and body.mode ~= "demand" then
      errors.raise(400, 10, "invalid value for <mode>")
    end
    c.mode = body.mode
    if c.mode == "off" then aql_state.cache_clear(aql_state.get(ctx.server)) end
  end
  for _, k in ipairs({ "maxResults", "maxResultsSize", "maxEntrySize" }) do
    if body[k] ~= nil then
      if type(body[k]) ~= "number" or body[k] < 0 then
        errors.raise(400, 10, "invalid value for <" .. k .. ">")
      end
      c[k] = math.floor(body[k])
    end
  end
  if body.includeSystem ~= nil then c.includeSystem = body.includeSystem == true end
  return 200, properties_of(c)
end

local function entries(ctx)
  local s = aql_state.get(ctx.server)
  local out = {}
  for _, key in ipairs(s.cache.order) do
    local e = s.cache.entries[key]
    if e and e.db == ctx.db_name then
      out[#out + 1] = { hash = e.hash, query = e.query, bindVars = e.bindVars, size = e.size,
        results = e.results, hits = e.hits, runTime = e.runTime, started = aql_state.iso(e.started),
        dataSources = setmetatable(e.dataSources, array_mt) }
    end
  end
  return 200, setmetatable(out, array_mt)
end

function M.register(router)
  router:add("GET", "/_api/query-cache/properties", function(ctx)
    return 200, properties_of(aql_state.get(ctx.server).cache)
  end)
  router:add("PUT", "/_api/query-cache/properties", set_properties)
  router:add("GET", "/_api/query-cache/entries", entries)
  router:add("DELETE", "/_api/query-cache", function(ctx)
    aql_state.cache_clear(aql_state.get(ctx.server))
    return 200, { error = false, code = 200 }
  end)
  -- The devserver plans every query afresh: the plan cache is always empty.
  router:add("GET", "/_api/query-plan-cache", function()
    return 200, setmetatable({}, array_mt)
  end)
  router:add("DELETE", "/_api/query-plan-cache", function()
    return 200, { error = false, code = 200 }
  end)
end

return M
