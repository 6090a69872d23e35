-- Registry of AQL functions: merges the category modules and resolves names (upper case).
-- Entry contract: { name, min_args, max_args, call = function(ctx, args, n) } where args holds
-- n AQL values; see docs/architecture.md and devserver/aql/values.lua.
local M = {}

local categories = { "type", "string", "numeric", "array", "document", "date", "geo", "bit", "misc" }

local registry = {}

-- Alternative names that ArangoDB accepts for the same function.
local aliases = {
  COUNT = "LENGTH",
  CONTAINS_ARRAY = "POSITION",
  COUNT_UNIQUE = "COUNT_DISTINCT",
  AVG = "AVERAGE",
  RANDOM = "RAND",
  STDDEV = "STDDEV_POPULATION",
  VARIANCE = "VARIANCE_POPULATION",
  TO_LIST = "TO_ARRAY",
  IS_LIST = "IS_ARRAY",
  IS_DOCUMENT = "IS_OBJECT",
  KEYS = "ATTRIBUTES",
}

for _, cat in ipairs(categories) do
  local entries = require("arango.devserver.aql.functions." .. cat)
  for name, entry in pairs(entries) do
    if type(entry) ~= "table" then goto continue end
    assert(not registry[name], "duplicate AQL function " .. name)
    entry.category = entry.category or cat
    registry[name] = entry
    ::continue::
  end
end

for alias, target in pairs(aliases) do
  local e = registry[target]
  if e and not registry[alias] then
    local copy = {}
    for k, v in pairs(e) do copy[k] = v end
    copy.name = alias
    copy.alias_of = target
    registry[alias] = copy
  end
end

--- The entry of function NAME (case-insensitive), or nil when unknown.
function M.lookup(name)
  return registry[name] or registry[string.upper(name)]
end

--- All registered names (sorted).
function M.names()
  local out = {}
  for k in pairs(registry) do out[#out + 1] = k end
  table.sort(out)
  return out
end

--- Calls a function by name with a plain argument array (for APPLY/CALL and tests).
function M.call(ctx, name, args)
  local e = M.lookup(name)
  if not e then return nil end
  return e.call(ctx, args, #args)
end

return M
