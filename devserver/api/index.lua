-- Index endpoints: GET /_api/index?collection= (list), GET/DELETE /_api/index/{collection}/{id}
-- (id or name), POST /_api/index?collection= (create: 201 new, 200 when an identical index
-- exists; isNewlyCreated says which).
local json = require "arango.json"
local document = require "arango.devserver.api.document"

local M = {}

local function collection_param(ctx, level)
  local name = ctx.query.collection
  if not name or name == "" then ctx:fail(400, 1204) end
  return document.collection(ctx, name, level)
end

local function list(ctx)
  local col = collection_param(ctx, "ro")
  local with_stats = document.qbool(ctx.query, "withStats", false)
  local out, ids = json.array{}, {}
  for _, idx in ipairs(col.indexes) do
    local d = idx:describe(col.name)
    if with_stats then d.figures = { memory = 0 } end
    out[#out + 1] = d
    ids[d.id] = idx:describe(col.name)
  end
  return 200, { error = false, code = 200, indexes = out, identifiers = ids }
end

local function find_index(ctx, level)
  local col = document.collection(ctx, ctx.params.collection, level)
  local idx = col:index(ctx.params.id)
  if not idx then ctx:fail(404, 1212) end
  return col, idx
end

local function get(ctx)
  local col, idx = find_index(ctx, "ro")
  local d = idx:describe(col.name)
  d.error, d.code = false, 200
  return 200, d
end

local function create(ctx)
  local col = collection_param(ctx, "rw")
  local body = ctx:json{ required = true }
  if type(body) ~= "table" or json.is_array(body) then ctx:fail(400, 10, "expecting object") end
  local idx, is_new = col:ensure_index(body)
  local d = idx:describe(col.name, { isNewlyCreated = is_new })
  local status = is_new and 201 or 200
  d.error, d.code = false, status
  return status, d
end

local function drop(ctx)
  local col = document.collection(ctx, ctx.params.collection, "rw")
  local idx = col:drop_index(ctx.params.id)
  return 200, { error = false, code = 200, id = col.name .. "/" .. tostring(idx.id) }
end

local function bad_handle(ctx) ctx:fail(400, 1214) end

function M.register(router)
  router:add("GET", "/_api/index", list)
  router:add("POST", "/_api/index", create)
  router:add("GET", "/_api/index/:collection/:id", get)
  router:add("DELETE", "/_api/index/:collection/:id", drop)
  router:add({ "GET", "DELETE" }, "/_api/index/:collection", bad_handle)
end

return M
