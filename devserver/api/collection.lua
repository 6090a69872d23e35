-- Collection endpoints: /_api/collection (list, create), /_api/collection/{name} (get, drop)
-- and its sub-resources (properties, count, figures, revision, checksum, load, unload,
-- loadIndexesIntoMemory, truncate, rename, recalculateCount, compact, responsibleShard,
-- shards), plus /_api/key-generators. Shapes follow ArangoDB 3.12 on a single server.
local json = require "arango.json"
local keys = require "arango.devserver.store.keys"
local graphs = require "arango.devserver.store.graphs"
local document = require "arango.devserver.api.document"

local M = {}

local qbool = document.qbool

local function with_code(t, code)
  t.error = false
  t.code = code or 200
  return t
end

local function loc(ctx)
  return { location = "/_db/" .. ctx.db_name .. ctx.path }
end

local function get_col(ctx, level)
  return document.collection(ctx, ctx.params.name, level)
end

-- The request body, which must be a JSON object (400/10 otherwise).
local function object_body(ctx)
  local body = ctx:json{ required = true }
  if type(body) ~= "table" or json.is_array(body) then ctx:fail(400, 10, "expecting object") end
  return body
end

-- A handler for /_api/collection/{name}/...: the collection, after the permission check at
-- `level`, goes to `build(col, ctx)`; its table is the answer (200, with error/code and the
-- collection's location).
local function collection_route(level, build)
  return function(ctx)
    local col = get_col(ctx, level)
    return 200, with_code(build(col, ctx)), loc(ctx)
  end
end

local function describe(col) return col:describe() end
local function properties_of(col) return col:properties() end

local function list(ctx)
  ctx:need("ro")
  local exclude = qbool(ctx.query, "excludeSystem", false)
  local out = json.array{}
  for _, col in ipairs(ctx.db:collections()) do
    if not (exclude and col.is_system) then out[#out + 1] = col:describe() end
  end
  return 200, { error = false, code = 200, result = out }
end

local function create(ctx)
  ctx:need("rw")
  local body = object_body(ctx)
  local name = body.name
  if type(name) ~= "string" then ctx:fail(400, 1208, "illegal name") end
  local col = ctx.db:create_collection(name, body)
  return 200, with_code(col:properties())
end

local get = collection_route("ro", describe)
local properties = collection_route("ro", properties_of)

local set_properties = collection_route("rw", function(col, ctx)
  col:set_properties(object_body(ctx))
  return col:properties()
end)

local count = collection_route("ro", function(col)
  local p = col:properties()
  p.count = col:count()
  return p
end)

local figures = collection_route("ro", function(col, ctx)
  local p = col:properties()
  p.count = col:count()
  p.figures = col:figures(qbool(ctx.query, "details", false))
  return p
end)

local revision = collection_route("ro", function(col)
  local p = col:properties()
  p.revision = col:revision_string()
  return p
end)

local checksum = collection_route("ro", function(col, ctx)
  local d = col:describe()
  d.revision = col:revision_string()
  d.checksum = col:checksum(qbool(ctx.query, "withRevisions", false), qbool(ctx.query, "withData", false))
  return d
end)

local load = collection_route("ro", function(col, ctx)
  local d = col:describe()
  if qbool(ctx.query, "count", true) then d.count = col:count() end
  return d
end)

local load_indexes = collection_route("ro", function() return { result = true } end)

local truncate = collection_route("rw", function(col, ctx)
  col:truncate({ waitForSync = qbool(ctx.query, "waitForSync", false) })
  return col:describe()
end)

local function rename(ctx)
  ctx:need("rw")
  local col = get_col(ctx, "rw")
  local body = object_body(ctx)
  if type(body.name) ~= "string" or body.name == "" then ctx:fail(400, 1208, "name must be non-empty") end
  local old_name = col.name
  ctx.db:rename_collection(old_name, body.name)
  -- ArangoDB follows the rename inside every graph definition that names the collection.
  graphs.rename_collection(ctx.db, old_name, body.name)
  return 200, with_code(col:describe()), loc(ctx)
end

local recalculate = collection_route("rw", function(col) return { result = true, count = col:count() } end)

local function cluster_only(ctx)
  get_col(ctx, "ro")
  ctx:fail(501, 1471)
end

local function drop(ctx)
  ctx:need("rw")
  local name = ctx.params.name
  local col = ctx.db:collection(name)
  if not col then ctx:fail(404, 1203) end
  ctx:need("rw", col.name)
  ctx.db:drop_collection(name, { is_system = qbool(ctx.query, "isSystem", false) })
  return 200, { error = false, code = 200, id = tostring(col.id) }
end

local function key_generators()
  return 200, { keyGenerators = json.array{ table.unpack(keys.TYPES) } }
end

function M.register(router)
  router:add("GET", "/_api/collection", list)
  router:add("POST", "/_api/collection", create)
  router:add("GET", "/_api/collection/:name", get)
  router:add("DELETE", "/_api/collection/:name", drop)
  router:add("GET", "/_api/collection/:name/properties", properties)
  router:add("PUT", "/_api/collection/:name/properties", set_properties)
  router:add("GET", "/_api/collection/:name/count", count)
  router:add("GET", "/_api/collection/:name/figures", figures)
  router:add("GET", "/_api/collection/:name/revision", revision)
  router:add("GET", "/_api/collection/:name/checksum", checksum)
  router:add("PUT", "/_api/collection/:name/load", load)
  router:add("PUT", "/_api/collection/:name/unload", collection_route("ro", describe))
  router:add("PUT", "/_api/collection/:name/loadIndexesIntoMemory", load_indexes)
  router:add("PUT", "/_api/collection/:name/truncate", truncate)
  router:add("PUT", "/_api/collection/:name/rename", rename)
  router:add("PUT", "/_api/collection/:name/recalculateCount", recalculate)
  router:add("PUT", "/_api/collection/:name/compact", collection_route("rw", describe))
  router:add("PUT", "/_api/collection/:name/responsibleShard", cluster_only)
  router:add("GET", "/_api/collection/:name/shards", cluster_only)
  router:add("GET", "/_api/key-generators", key_generators)
end

return M
