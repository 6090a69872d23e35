-- The graph API (/_api/gharial): named graphs, their vertex collections (orphans) and edge
-- definitions, and vertices/edges written through a graph (edges checked against the graph,
-- vertex removal cascading to the edges that point at it). Status codes follow ArangoDB 3.12:
-- graph creation 201/202 by waitForSync, definition changes and graph drops always 202,
-- document writes 201 (create) or 200 (modify/remove) when synced, else 202.
-- The graph model itself lives in devserver/store/graphs.lua.
local json = require "arango.json"
local errors = require "arango.devserver.errors"
local graphs = require "arango.devserver.store.graphs"
local document = require "arango.devserver.api.document"

local M = {}

local unquote = document.unquote
local qbool = document.qbool

-- The expected revision: If-Match, else the `rev` query parameter (ArangoDB's handleRevision).
local function if_match(ctx)
  local h = ctx.headers["if-match"]
  if h then
    local v = unquote(h)
    if v ~= "" then return v end
  end
  local r = ctx.query.rev
  if r and r ~= "" then return r end
  return nil
end

local function ok(status, fields, headers)
  local body = { error = false, code = status }
  for k, v in pairs(fields) do body[k] = v end
  return status, body, headers
end

local function graph_response(status, doc)
  return ok(status, { graph = graphs.client(doc) }, { etag = doc._rev })
end

local function body_object(ctx)
  local b = ctx:json{ required = true }
  if type(b) ~= "table" or json.is_array(b) then errors.raise(400, 1227) end
  return b
end

---------------------------------------------------------------------------------------------
-- Graphs

local function list_graphs(ctx)
  ctx:need("ro")
  local out = json.array{}
  for _, g in ipairs(graphs.list(ctx.db)) do out[#out + 1] = graphs.client(g.doc) end
  return ok(200, { graphs = out })
end

local function create_graph(ctx)
  ctx:need("rw")
  local wfs = qbool(ctx.query, "waitForSync", false)
  local doc = graphs.create(ctx.db, ctx:json{ required = true }, { waitForSync = wfs })
  return graph_response(wfs and 201 or 202, doc)
end

local function get_graph(ctx)
  ctx:need("ro")
  local g = graphs.lookup(ctx.db, ctx.params.graph)
  return ok(200, { graph = graphs.client(g.doc) })
end

local function drop_graph(ctx)
  ctx:need("rw")
  graphs.drop(ctx.db, ctx.params.graph, { drop_collections = qbool(ctx.query, "dropCollections", false),
    waitForSync = qbool(ctx.query, "waitForSync", false) })
  return ok(202, { removed = true })
end

---------------------------------------------------------------------------------------------
-- Vertex collections and edge definitions

local function list_vertex_collections(ctx)
  ctx:need("ro")
  local g = graphs.lookup(ctx.db, ctx.params.graph)
  return ok(200, { collections = json.array(graphs.vertex_names(g)) })
end

local function list_edge_collections(ctx)
  ctx:need("ro")
  local g = graphs.lookup(ctx.db, ctx.params.graph)
  return ok(200, { collections = json.array(graphs.edge_names(g)) })
end

local function add_vertex_collection(ctx)
  ctx:need("rw")
  graphs.lookup(ctx.db, ctx.params.graph)
  local body = body_object(ctx)
  local doc = graphs.add_orphan(ctx.db, ctx.params.graph, body.collection, {
    create_collection = qbool(ctx.query, "createCollection", true),
    waitForSync = qbool(ctx.query, "waitForSync", false) })
  return graph_response(202, doc)
end

local function remove_vertex_collection(ctx)
  ctx:need("rw")
  local doc = graphs.remove_orphan(ctx.db, ctx.params.graph, ctx.params.collection, {
    drop_collection = qbool(ctx.query, "dropCollection", false),
    waitForSync = qbool(ctx.query, "waitForSync", false) })
  return graph_response(202, doc)
end

local function add_edge_definition(ctx)
  ctx:need("rw")
  graphs.lookup(ctx.db, ctx.params.graph)
  local doc = graphs.add_edge_definition(ctx.db, ctx.params.graph, ctx:json{ required = true },
    { waitForSync = qbool(ctx.query, "waitForSync", false) })
  return graph_response(202, doc)
end

-- dropCollections is accepted like ArangoDB does; as there, vertex collections an edge
-- definition no longer uses become orphans of the graph, so nothing is dropped.
local function replace_edge_definition(ctx)
  ctx:need("rw")
  graphs.lookup(ctx.db, ctx.params.graph)
  local doc = graphs.replace_edge_definition(ctx.db, ctx.params.graph, ctx.params.collection,
    ctx:json{ required = true }, { waitForSync = qbool(ctx.query, "waitForSync", false) })
  return graph_response(202, doc)
end

local function remove_edge_definition(ctx)
  ctx:need("rw")
  local doc = graphs.remove_edge_definition(ctx.db, ctx.params.graph, ctx.params.collection, {
    drop_collections = qbool(ctx.query, "dropCollections", false),
    waitForSync = qbool(ctx.query, "waitForSync", false) })
  return graph_response(202, doc)
end

---------------------------------------------------------------------------------------------
-- Vertices and edges

-- kind: "vertex" or "edge"; returns the graph and the collection object after the checks
-- (in ArangoDB's order: permissions, the graph, the body when `body_check` is given, then
-- the collection's membership in the graph).
local function target(ctx, kind, level, body_check)
  ctx:need(level, ctx.params.collection)
  local g = graphs.lookup(ctx.db, ctx.params.graph)
  local body = body_check and body_check(ctx)
  local col
  if kind == "vertex" then
    col = graphs.check_vertex_collection(ctx.db, g, ctx.params.collection)
  else
    col = graphs.check_edge_collection(ctx.db, g, ctx.params.collection)
  end
  return g, col, body
end

local function any_body(ctx) return ctx:json{ required = true } end

local function handle_of(r)
  local h = { _id = r._id, _key = r._key, _rev = r._rev }
  if r._oldRev then h._oldRev = r._oldRev end
  return h
end

local function read_doc(kind)
  return function(ctx)
    local _, col = target(ctx, kind, "ro")
    local doc = col:get(ctx.params.key)
    if not doc then errors.raise(404, 1202) end
    local want = if_match(ctx)
    if want and want ~= doc._rev then document.conflict(doc, { etag = doc._rev }) end
    local inm = ctx.headers["if-none-match"]
    if inm and unquote(inm) == doc._rev then return 304, nil, { etag = doc._rev } end
    return ok(200, { [kind] = doc }, { etag = doc._rev })
  end
end

local function create_doc(kind)
  return function(ctx)
    local g, col, body = target(ctx, kind, "rw", body_object)
    if kind == "edge" then graphs.check_edge(ctx.db, g, body, false) end
    local opts = { waitForSync = qbool(ctx.query, "waitForSync", false),
      returnNew = qbool(ctx.query, "returnNew", false) }
    local r = col:insert(body, opts)
    local status = col:syncs(opts) and 201 or 202
    return ok(status, { [kind] = handle_of(r), new = r.new }, { etag = r._rev })
  end
end

local function modify_doc(kind, patch)
  return function(ctx)
    local g, col, body = target(ctx, kind, "rw", any_body)
    if kind == "edge" and type(body) == "table" and not json.is_array(body) then
      graphs.check_edge(ctx.db, g, body, patch)
    end
    local opts = {
      waitForSync = qbool(ctx.query, "waitForSync", false),
      returnNew = qbool(ctx.query, "returnNew", false),
      returnOld = qbool(ctx.query, "returnOld", false),
      keepNull = qbool(ctx.query, "keepNull", true),
      ifMatch = if_match(ctx),
    }
    local r
    if patch then
      r = col:update(ctx.params.key, body, opts)
    else
      r = col:replace(ctx.params.key, body, opts)
    end
    local status = col:syncs(opts) and 200 or 202
    return ok(status, { [kind] = handle_of(r), old = r.old, new = r.new }, { etag = r._rev })
  end
end

local function remove_doc(kind)
  return function(ctx)
    local g, col = target(ctx, kind, "rw")
    local opts = { waitForSync = qbool(ctx.query, "waitForSync", false),
      returnOld = qbool(ctx.query, "returnOld", false),
      ifMatch = if_match(ctx) }
    local r = graphs.remove_document(ctx.db, g, col, ctx.params.key, opts)
    local status = col:syncs(opts) and 200 or 202
    return ok(status, { removed = true, old = r.old })
  end
end

--- Registers the /_api/gharial routes.
function M.register(router)
  local base = "/_api/gharial"
  router:add("GET", base, list_graphs)
  router:add("POST", base, create_graph)
  router:add("GET", base .. "/:graph", get_graph)
  router:add("DELETE", base .. "/:graph", drop_graph)

  router:add("GET", base .. "/:graph/vertex", list_vertex_collections)
  router:add("POST", base .. "/:graph/vertex", add_vertex_collection)
  router:add("DELETE", base .. "/:graph/vertex/:collection", remove_vertex_collection)
  router:add("GET", base .. "/:graph/edge", list_edge_collections)
  router:add("POST", base .. "/:graph/edge", add_edge_definition)
  router:add("PUT", base .. "/:graph/edge/:collection", replace_edge_definition)
  router:add("DELETE", base .. "/:graph/edge/:collection", remove_edge_definition)

  for _, kind in ipairs{ "vertex", "edge" } do
    local coll = base .. "/:graph/" .. kind .. "/:collection"
    router:add("POST", coll, create_doc(kind))
    router:add("GET", coll .. "/:key", read_doc(kind))
    router:add("PATCH", coll .. "/:key", modify_doc(kind, true))
    router:add("PUT", coll .. "/:key", modify_doc(kind, false))
    router:add("DELETE", coll .. "/:key", remove_doc(kind))
  end
end

return M
