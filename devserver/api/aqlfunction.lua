-- /_api/aqlfunction: AQL user functions (list/create/delete, group deletes). They are stored in
-- the database's _aqlfunctions collection (devserver/aql/user_functions.lua). The devserver has
-- no JavaScript engine: a query calling one fails with 1583 naming the function.
local errors = require "arango.devserver.errors"
local V = require "arango.devserver.aql.values"
local user_functions = require "arango.devserver.aql.user_functions"

local M = {}

local array_mt = V.array_mt

-- Namespaced names only: ns::name (each part: letters, digits, underscores).
local function valid_name(name)
  if type(name) ~= "string" then return false end
  local parts = 0
  for part in (name .. "::"):gmatch("(.-)::") do
    if not part:match("^[%a_][%w_]*$") then return false end
    parts = parts + 1
  end
  return parts >= 2
end

local function create(ctx)
  local body = ctx:json()
  if type(body) ~= "table" or getmetatable(body) == array_mt then
    errors.raise(400, 10, "expecting object")
  end
  ctx:need("rw")
  if not valid_name(body.name) then errors.raise(400, 1580) end
  local code = body.code
  if type(code) ~= "string" or not code:match("^%s*function") then errors.raise(400, 1581) end
  local is_new = user_functions.put(ctx.db, { name = body.name, code = code,
    isDeterministic = body.isDeterministic == true })
  local status = is_new and 201 or 200
  return status, { error = false, code = status, isNewlyCreated = is_new }
end

local function list(ctx)
  ctx:need("ro")
  local ns = ctx.query.namespace
  if ns == "" then ns = nil end
  local out = {}
  for _, f in ipairs(user_functions.list(ctx.db, ns)) do
    out[#out + 1] = { name = f.name, code = f.code, isDeterministic = f.isDeterministic == true }
  end
  return 200, { error = false, code = 200, result = setmetatable(out, array_mt) }
end

local function delete(ctx)
  ctx:need("rw")
  local name = ctx.params.name
  local group = ctx.query.group == "true"
  if not group and not valid_name(name) then errors.raise(400, 1580) end
  local n = user_functions.remove(ctx.db, name, group)
  if n == 0 and not group then
    errors.raise(404, 1582, string.format("no AQL user function with name '%s' found", name))
  end
  return 200, { error = false, code = 200, deletedCount = n }
end

function M.register(router)
  router:add("POST", "/_api/aqlfunction", create)
  router:add("GET", "/_api/aqlfunction", list)
  router:add("GET", "/_api/aqlfunction/:name", function(ctx)
    ctx.query.namespace = ctx.params.name
    return list(ctx)
  end)
  router:add("DELETE", "/_api/aqlfunction/:name", delete)
end

return M
