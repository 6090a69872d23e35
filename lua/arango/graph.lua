--- Named graphs: management, vertex and edge collections, documents, and traversals.
--
--     local school = db:create_graph("school", { edge_definitions = {
--       { edge_collection = "teach", from_vertex_collections = { "teachers" },
--         to_vertex_collections = { "lectures" } } } })
--     school:insert_vertex("teachers", { _key = "jon" })
--     school:link("teach", "teachers/jon", "lectures/CSC101", { data = { online = false } })
--     local result = school:traverse{ start_vertex = "teachers/jon", strategy = "bfs" }
--
-- This module also installs `graphs`, `has_graph`, `graph`, `create_graph` and `delete_graph` on
-- `arango.database` Database handles (see `install`). Every method builds one request and runs it
-- through the executor of its database handle. Graph properties and edge definitions are returned
-- in snake_case: `{edge_collection, from_vertex_collections, to_vertex_collections}`.
-- @module arango.graph

local request_mod = require "arango.request"
local errors = require "arango.errors"
local api = require "arango.api"
local options = require "arango.options"
local document = require "arango.document"
local serializer = require "arango.serializer"

local escape = request_mod.escape

local M = {}

local graph_collection = require "arango.graph_collection"

local Graph = {}
Graph.__index = Graph
M.Graph = Graph

local need_string = api.need_string

local function string_list(value, what)
  if type(value) == "string" then value = { value } end
  if type(value) ~= "table" then
    errors.ArangoOptionError:raise(what .. " must be a list of collection names (got " .. type(value) .. ")")
  end
  local out = serializer.array({})
  for i, v in ipairs(value) do out[i] = need_string(v, what .. " entry") end
  for k in pairs(value) do
    if type(k) ~= "number" then errors.ArangoOptionError:raise(what .. " must be a list (has key '"
      .. tostring(k) .. "')") end
  end
  return out
end

--- Turn a graph description of the server into the driver's snake_case form.
-- @tparam table body the server's graph object (`_id`, `_key`, `_rev`, `edgeDefinitions`, ...)
-- @treturn table `{id, key, name, revision, edge_definitions, orphan_collections, smart, disjoint,
--   is_satellite, smart_field, shard_count, replication_factor, min_replication_factor, write_concern}`
function M.format_properties(body)
  local defs = {}
  for i, d in ipairs(body.edgeDefinitions or {}) do
    defs[i] = { edge_collection = d.collection, from_vertex_collections = d.from,
      to_vertex_collections = d.to }
  end
  return {
    id = body._id, key = body._key, name = body.name or body._key, revision = body._rev,
    edge_definitions = defs, orphan_collections = body.orphanCollections or {},
    smart = body.isSmart, disjoint = body.isDisjoint, is_satellite = body.isSatellite,
    smart_field = body.smartGraphAttribute, shard_count = body.numberOfShards,
    replication_factor = body.replicationFactor, min_replication_factor = body.minReplicationFactor,
    write_concern = body.writeConcern,
  }
end

-- The server form of an edge definition given in snake_case.
local function edge_definition(def, what)
  if type(def) ~= "table" then errors.ArangoOptionError:raise(what .. ": edge definition must be a table") end
  options.check(def, { edge_collection = true, from_vertex_collections = true, to_vertex_collections = true },
    what)
  return {
    collection = need_string(def.edge_collection, what .. ": edge_collection"),
    from = string_list(def.from_vertex_collections, what .. ": from_vertex_collections"),
    to = string_list(def.to_vertex_collections, what .. ": to_vertex_collections"),
  }
end

-- ========================================================================================
-- Database methods
-- ========================================================================================

-- How the server answers for a graph that does not exist.
local GRAPH_MISSING = { status = 404, code = 1924 }

local CREATE_GRAPH_OPTIONS = {
  edge_definitions = false, orphan_collections = false, smart = false, disjoint = false, sync = false,
  smart_field = "smartGraphAttribute", shard_count = "numberOfShards",
  replication_factor = "replicationFactor", write_concern = "writeConcern",
  satellite_collections = "satellites",
}

--- Add the graph methods to the Database class (called once by `arango.database`).
-- @param Database the `arango.database` Database class
function M.install(Database)
  --- All graphs of the database (`GET /_api/gharial`).
  -- @treturn {table,...} graph properties (see `format_properties`)
  function Database:graphs()
    return self:_run({ method = "GET", endpoint = "/_api/gharial" }, errors.GraphListError, function(resp)
      local out = {}
      for i, g in ipairs(resp.body.graphs or {}) do out[i] = M.format_properties(g) end
      return out
    end)
  end

  --- Tell whether a graph exists.
  -- @tparam string name
  -- @treturn boolean
  function Database:has_graph(name)
    need_string(name, "graph name")
    return self:_run_found({ method = "GET", endpoint = "/_api/gharial/" .. escape(name) },
      errors.GraphGetError, GRAPH_MISSING, true)
  end

  --- A handle on a graph (no request is sent).
  -- @tparam string name
  -- @return the Graph
  function Database:graph(name)
    return Graph.new(self, need_string(name, "graph name"))
  end

  --- Create a graph; missing collections are created with the right type.
  -- @tparam string name
  -- @tparam[opt] table opts `edge_definitions` (list of `{edge_collection, from_vertex_collections,
  --   to_vertex_collections}`; a single collection name may stand for a list), `orphan_collections`
  --   (vertex collections in no edge definition), `smart`, `disjoint`, `smart_field`, `shard_count`,
  --   `replication_factor`, `write_concern`, `satellite_collections` (enterprise/cluster options;
  --   a single server echoes them), `sync`
  -- @return the new Graph
  function Database:create_graph(name, opts)
    need_string(name, "graph name")
    local graph_opts = options.map(opts, CREATE_GRAPH_OPTIONS, "create_graph")
    opts = opts or {}
    local data = { name = name }
    local defs = serializer.array({})
    if opts.edge_definitions ~= nil then
      if type(opts.edge_definitions) ~= "table" then
        errors.ArangoOptionError:raise("create_graph: edge_definitions must be a list")
      end
      for i, d in ipairs(opts.edge_definitions) do defs[i] = edge_definition(d, "create_graph") end
    end
    data.edgeDefinitions = defs
    if opts.orphan_collections ~= nil then
      data.orphanCollections = string_list(opts.orphan_collections, "create_graph: orphan_collections")
    end
    if opts.smart ~= nil then data.isSmart = opts.smart end
    if opts.disjoint ~= nil then data.isDisjoint = opts.disjoint end
    if graph_opts.satellites ~= nil then
      graph_opts.satellites = string_list(graph_opts.satellites, "create_graph: satellite_collections")
    end
    if next(graph_opts) then data.options = graph_opts end
    local params = {}
    if opts.sync ~= nil then params.waitForSync = opts.sync end
    return self:_run({ method = "POST", endpoint = "/_api/gharial", params = params, data = data },
      errors.GraphCreateError, function() return Graph.new(self, name) end)
  end

  --- Delete a graph.
  -- @tparam string name
  -- @tparam[opt] table opts `{drop_collections = false (also drop collections used by no other
  --   graph), ignore_missing = false}`
  -- @treturn boolean true, or false when missing and `ignore_missing`
  function Database:delete_graph(name, opts)
    need_string(name, "graph name")
    opts = options.check(opts, { drop_collections = true, ignore_missing = true }, "delete_graph")
    local params = {}
    if opts.drop_collections ~= nil then params.dropCollections = opts.drop_collections end
    return self:_run_found({ method = "DELETE", endpoint = "/_api/gharial/" .. escape(name),
      params = params }, errors.GraphDeleteError, GRAPH_MISSING, opts.ignore_missing)
  end
end

-- ========================================================================================
-- Graph
-- ========================================================================================

--- Create a graph handle (normally via `db:graph(name)`).
-- @param db the `arango.database` Database
-- @tparam string name
-- @return the Graph
function Graph.new(db, name)
  return api.new_handle(Graph, db, name)
end

-- The request runners and the accessors `name`, `db_name` and `database` come from arango.api.
api.mixin_handle(Graph)

function Graph:_path(suffix)
  return "/_api/gharial/" .. escape(self._name) .. (suffix or "")
end

--- Graph properties (`GET /_api/gharial/{graph}`).
-- @treturn table see `format_properties`
function Graph:properties()
  return self:_run({ method = "GET", endpoint = self:_path() }, errors.GraphPropertiesError,
    function(resp) return M.format_properties(resp.body.graph) end)
end

-- ---------------------------------------------------------------------------------------- vertices

local function sorted(list)
  local out = {}
  for i, v in ipairs(list) do out[i] = v end
  table.sort(out)
  return out
end

-- One request for the collection names the graph API lists at `suffix` ("/vertex" or "/edge"),
-- handed to `f(names)`.
local function list_collections(self, suffix, err_class, f)
  return self:_run({ method = "GET", endpoint = self:_path(suffix) }, err_class,
    function(resp) return f(resp.body.collections or {}) end)
end

--- Names of the graph's vertex collections (sorted).
-- @treturn {string,...}
function Graph:vertex_collections()
  return list_collections(self, "/vertex", errors.VertexCollectionListError, sorted)
end

--- Tell whether a collection is a vertex collection of the graph.
-- @tparam string name
-- @treturn boolean
function Graph:has_vertex_collection(name)
  need_string(name, "vertex collection name")
  return list_collections(self, "/vertex", errors.VertexCollectionListError,
    function(names) return api.contains(names, name) end)
end

--- A handle on a vertex collection of the graph (no request is sent).
-- @tparam string name
-- @return an `arango.graph_collection` VertexCollection
function Graph:vertex_collection(name)
  return graph_collection.VertexCollection.new(self, need_string(name, "vertex collection name"))
end

--- Add a vertex collection (as an orphan; created when missing).
-- @tparam string name
-- @tparam[opt] table opts `{satellite_collections = {...}}` (enterprise option)
-- @return the VertexCollection
function Graph:create_vertex_collection(name, opts)
  need_string(name, "vertex collection name")
  opts = options.check(opts, { satellite_collections = true }, "create_vertex_collection")
  local data = { collection = name }
  if opts.satellite_collections ~= nil then
    data.options = { satellites = string_list(opts.satellite_collections,
      "create_vertex_collection: satellite_collections") }
  end
  return self:_run({ method = "POST", endpoint = self:_path("/vertex"), data = data },
    errors.VertexCollectionCreateError, function() return self:vertex_collection(name) end)
end

--- Remove an orphan vertex collection from the graph.
-- @tparam string name
-- @tparam[opt] table opts `{purge = false}` (also drop the collection)
-- @treturn boolean true
function Graph:delete_vertex_collection(name, opts)
  need_string(name, "vertex collection name")
  opts = options.check(opts, { purge = true }, "delete_vertex_collection")
  local params = {}
  if opts.purge ~= nil then params.dropCollection = opts.purge end
  return self:_run({ method = "DELETE", endpoint = self:_path("/vertex/" .. escape(name)), params = params },
    errors.VertexCollectionDeleteError, function() return true end)
end

-- ---------------------------------------------------------------------------------------- edges

--- The graph's edge definitions.
-- @treturn {table,...} `{edge_collection, from_vertex_collections, to_vertex_collections}`
function Graph:edge_definitions()
  return self:_run({ method = "GET", endpoint = self:_path() }, errors.EdgeDefinitionListError,
    function(resp) return M.format_properties(resp.body.graph).edge_definitions end)
end

--- Tell whether the graph has an edge definition for a collection.
-- @tparam string name edge collection name
-- @treturn boolean
function Graph:has_edge_definition(name)
  need_string(name, "edge collection name")
  return self:_run({ method = "GET", endpoint = self:_path() }, errors.EdgeDefinitionListError,
    function(resp)
      for _, d in ipairs(resp.body.graph.edgeDefinitions or {}) do
        if d.collection == name then return true end
      end
      return false
    end)
end

--- Names of the graph's edge collections (sorted).
-- @treturn {string,...}
function Graph:edge_collections()
  return list_collections(self, "/edge", errors.EdgeCollectionListError, sorted)
end

--- Tell whether a collection is an edge collection of the graph.
-- @tparam string name
-- @treturn boolean
function Graph:has_edge_collection(name)
  need_string(name, "edge collection name")
  return list_collections(self, "/edge", errors.EdgeCollectionListError,
    function(names) return api.contains(names, name) end)
end

--- A handle on an edge collection of the graph (no request is sent).
-- @tparam string name
-- @return an `arango.graph_collection` EdgeCollection
function Graph:edge_collection(name)
  return graph_collection.EdgeCollection.new(self, need_string(name, "edge collection name"))
end

-- Accept `f{edge_collection = ..., ...}` or `f(edge_collection, from, to [, opts])`.
local function definition_args(first, from, to, rest, extra, what)
  local t
  if type(first) == "table" then
    t = first
  else
    t = { edge_collection = first, from_vertex_collections = from, to_vertex_collections = to }
    if rest ~= nil then
      if type(rest) ~= "table" then errors.ArangoOptionError:raise(what .. ": options must be a table") end
      for k, v in pairs(rest) do t[k] = v end
    end
  end
  local known = { edge_collection = true, from_vertex_collections = true, to_vertex_collections = true }
  for k in pairs(extra) do known[k] = true end
  options.check(t, known, what)
  local def = edge_definition({ edge_collection = t.edge_collection,
    from_vertex_collections = t.from_vertex_collections, to_vertex_collections = t.to_vertex_collections },
    what)
  return def, t
end

--- Add an edge definition (collections are created when missing).
-- @param edge_collection the edge collection name, or a table `{edge_collection,
--   from_vertex_collections, to_vertex_collections, satellite_collections}`
-- @tparam[opt] {string,...} from_vertex_collections
-- @tparam[opt] {string,...} to_vertex_collections
-- @tparam[opt] table opts `{satellite_collections}` (with positional arguments)
-- @return the EdgeCollection
function Graph:create_edge_definition(edge_collection, from_vertex_collections, to_vertex_collections, opts)
  local def, t = definition_args(edge_collection, from_vertex_collections, to_vertex_collections, opts,
    { satellite_collections = true }, "create_edge_definition")
  if t.satellite_collections ~= nil then
    def.options = { satellites = string_list(t.satellite_collections,
      "create_edge_definition: satellite_collections") }
  end
  return self:_run({ method = "POST", endpoint = self:_path("/edge"), data = def },
    errors.EdgeDefinitionCreateError, function() return self:edge_collection(def.collection) end)
end

--- Replace an edge definition.
-- @param edge_collection the edge collection name, or a table `{edge_collection,
--   from_vertex_collections, to_vertex_collections, sync, purge, satellite_collections}`
-- @tparam[opt] {string,...} from_vertex_collections
-- @tparam[opt] {string,...} to_vertex_collections
-- @tparam[opt] table opts `{sync, purge = false (drop vertex collections no longer used),
--   satellite_collections}` (with positional arguments)
-- @return the EdgeCollection
function Graph:replace_edge_definition(edge_collection, from_vertex_collections, to_vertex_collections, opts)
  local def, t = definition_args(edge_collection, from_vertex_collections, to_vertex_collections, opts,
    { sync = true, purge = true, satellite_collections = true }, "replace_edge_definition")
  if t.satellite_collections ~= nil then
    def.options = { satellites = string_list(t.satellite_collections,
      "replace_edge_definition: satellite_collections") }
  end
  local params = {}
  if t.sync ~= nil then params.waitForSync = t.sync end
  if t.purge ~= nil then params.dropCollections = t.purge end
  return self:_run({ method = "PUT", endpoint = self:_path("/edge/" .. escape(def.collection)),
    params = params, data = def }, errors.EdgeDefinitionReplaceError,
    function() return self:edge_collection(def.collection) end)
end

--- Remove an edge definition.
-- @tparam string name edge collection name
-- @tparam[opt] table opts `{purge = false (also drop the edge collection), sync}`
-- @treturn boolean true
function Graph:delete_edge_definition(name, opts)
  need_string(name, "edge collection name")
  opts = options.check(opts, { purge = true, sync = true }, "delete_edge_definition")
  local params = {}
  if opts.purge ~= nil then params.dropCollections = opts.purge end
  if opts.sync ~= nil then params.waitForSync = opts.sync end
  return self:_run({ method = "DELETE", endpoint = self:_path("/edge/" .. escape(name)), params = params },
    errors.EdgeDefinitionDeleteError, function() return true end)
end

-- ---------------------------------------------------------------------------------------- documents

-- The collection named by a document id (or a table with `_id`).
local function collection_of(value)
  local col = document.resolve_id(value)
  return col
end

--- Insert a vertex.
-- @tparam string collection vertex collection name
-- @tparam table vertex the document
-- @tparam[opt] table opts `{sync, silent, return_new}`
-- @treturn table metadata (see `VertexCollection:insert`)
function Graph:insert_vertex(collection, vertex, opts)
  return self:vertex_collection(collection):insert(vertex, opts)
end

--- Get a vertex by id; nil when missing.
-- @param vertex an id or a table with `_id`
-- @tparam[opt] table opts `{rev, check_rev = true}`
-- @treturn ?table
function Graph:vertex(vertex, opts)
  return self:vertex_collection(collection_of(vertex)):get(vertex, opts)
end

--- Tell whether a vertex exists.
-- @param vertex an id or a table with `_id`
-- @tparam[opt] table opts `{rev, check_rev = true}`
-- @treturn boolean
function Graph:has_vertex(vertex, opts)
  return self:vertex_collection(collection_of(vertex)):has(vertex, opts)
end

--- Update (patch) a vertex; it must carry `_id`.
-- @tparam table vertex
-- @tparam[opt] table opts see `VertexCollection:update`
-- @treturn table metadata
function Graph:update_vertex(vertex, opts)
  return self:vertex_collection(collection_of(vertex)):update(vertex, opts)
end

--- Replace a vertex; it must carry `_id`.
-- @tparam table vertex
-- @tparam[opt] table opts see `VertexCollection:replace`
-- @treturn table metadata
function Graph:replace_vertex(vertex, opts)
  return self:vertex_collection(collection_of(vertex)):replace(vertex, opts)
end

--- Delete a vertex and every edge of the graph touching it.
-- @param vertex an id or a table with `_id`
-- @tparam[opt] table opts see `VertexCollection:delete`
-- @return see `VertexCollection:delete`
function Graph:delete_vertex(vertex, opts)
  return self:vertex_collection(collection_of(vertex)):delete(vertex, opts)
end

--- Insert an edge (`_from` and `_to` are checked against the edge definition by the server).
-- @tparam string collection edge collection name
-- @tparam table edge the document with `_from` and `_to`
-- @tparam[opt] table opts `{sync, silent, return_new}`
-- @treturn table metadata
function Graph:insert_edge(collection, edge, opts)
  return self:edge_collection(collection):insert(edge, opts)
end

--- Get an edge by id; nil when missing.
-- @param edge an id or a table with `_id`
-- @tparam[opt] table opts `{rev, check_rev = true}`
-- @treturn ?table
function Graph:edge(edge, opts)
  return self:edge_collection(collection_of(edge)):get(edge, opts)
end

--- Tell whether an edge exists.
-- @param edge an id or a table with `_id`
-- @tparam[opt] table opts `{rev, check_rev = true}`
-- @treturn boolean
function Graph:has_edge(edge, opts)
  return self:edge_collection(collection_of(edge)):has(edge, opts)
end

--- Update (patch) an edge; it must carry `_id`.
-- @tparam table edge
-- @tparam[opt] table opts see `VertexCollection:update`
-- @treturn table metadata
function Graph:update_edge(edge, opts)
  return self:edge_collection(collection_of(edge)):update(edge, opts)
end

--- Replace an edge; it must carry `_id`, `_from` and `_to`.
-- @tparam table edge
-- @tparam[opt] table opts see `VertexCollection:replace`
-- @treturn table metadata
function Graph:replace_edge(edge, opts)
  return self:edge_collection(collection_of(edge)):replace(edge, opts)
end

--- Delete an edge.
-- @param edge an id or a table with `_id`
-- @tparam[opt] table opts see `VertexCollection:delete`
-- @return see `VertexCollection:delete`
function Graph:delete_edge(edge, opts)
  return self:edge_collection(collection_of(edge)):delete(edge, opts)
end

--- Insert an edge between two vertices.
-- @tparam string collection edge collection name
-- @param from_vertex an id or a table with `_id`
-- @param to_vertex an id or a table with `_id`
-- @tparam[opt] table opts `{data, sync, silent, return_new}`
-- @treturn table metadata
function Graph:link(collection, from_vertex, to_vertex, opts)
  return self:edge_collection(collection):link(from_vertex, to_vertex, opts)
end

--- The edges of an edge collection touching a vertex.
-- @tparam string collection edge collection name
-- @param vertex an id or a table with `_id`
-- @tparam[opt] table opts `{direction = "in"|"out"}`
-- @treturn table `{edges = {...}, stats = {...}}`
function Graph:edges(collection, vertex, opts)
  return self:edge_collection(collection):edges(vertex, opts)
end

-- ========================================================================================
-- Traversal
-- ========================================================================================

-- ArangoDB 3.12 removed /_api/traversal: the traversal runs as one AQL query (values only ever
-- travel as bind variables; the direction keyword comes from a fixed table) that returns every path
-- from the start vertex in the server's order. The driver then rebuilds the path tree and walks it
-- in the requested order, which lets it offer what AQL lacks: post-order, reversed sibling order
-- (`item_order = "backward"`), global uniqueness with depth-first search, global edge uniqueness,
-- and the `max_iterations` guard.

local DIRECTIONS = { outbound = "OUTBOUND", inbound = "INBOUND", any = "ANY" }
local STRATEGIES = { bfs = "bfs", breadthfirst = "bfs", dfs = "dfs", depthfirst = "dfs" }
local UNIQUENESS = { none = true, path = true, global = true }
local ORDERS = { preorder = true, postorder = true, ["preorder-expander"] = true }
local ITEM_ORDERS = { forward = true, backward = true }
-- Paths longer than this are not followed when no max_depth is given (AQL needs a bound).
local UNBOUNDED_DEPTH = 1000000
local TRAVERSE_OPTIONS = {
  start_vertex = true, direction = true, strategy = true, order = true, item_order = true,
  edge_uniqueness = true, vertex_uniqueness = true, min_depth = true, max_depth = true,
  max_iterations = true,
}
-- The old endpoint ran JavaScript callbacks on the server; 3.12 has nothing to run them with.
local JS_HOOKS = { init_func = true, sort_func = true, filter_func = true, visitor_func = true,
  expander_func = true }

local function one_of(value, allowed, default, what)
  if value == nil then return default end
  if type(value) ~= "string" or not allowed[value:lower()] then
    local names = {}
    for k in pairs(allowed) do names[#names + 1] = '"' .. k .. '"' end
    table.sort(names)
    errors.ArangoOptionError:raise("traverse: " .. what .. " must be one of " .. table.concat(names, ", ")
      .. " (got " .. tostring(value) .. ")")
  end
  return value:lower()
end

local function depth_option(value, what)
  if value == nil then return nil end
  if type(value) ~= "number" or value < 0 or value ~= math.floor(value) then
    errors.ArangoOptionError:raise("traverse: " .. what .. " must be a non-negative integer (got "
      .. tostring(value) .. ")")
  end
  return value
end

local function traverse_options(opts)
  if type(opts) ~= "table" then errors.ArangoOptionError:raise("traverse: options must be a table") end
  for k in pairs(opts) do
    if JS_HOOKS[k] then
      errors.ArangoOptionError:raise("traverse: " .. tostring(k) .. " is not supported: ArangoDB 3.12 "
        .. "runs traversals in AQL and has no JavaScript callbacks (filter the result instead)")
    end
  end
  options.check(opts, TRAVERSE_OPTIONS, "traverse")
  if opts.start_vertex == nil then errors.ArangoOptionError:raise("traverse: start_vertex is required") end
  local _, _, start = document.resolve_id(opts.start_vertex)
  local t = {
    start = start,
    direction = one_of(opts.direction, DIRECTIONS, "outbound", "direction"),
    strategy = STRATEGIES[one_of(opts.strategy, STRATEGIES, "dfs", "strategy")],
    order = one_of(opts.order, ORDERS, "preorder", "order"),
    backward = one_of(opts.item_order, ITEM_ORDERS, "forward", "item_order") == "backward",
    unique_vertices = one_of(opts.vertex_uniqueness, UNIQUENESS, "none", "vertex_uniqueness"),
    unique_edges = one_of(opts.edge_uniqueness, UNIQUENESS, "path", "edge_uniqueness"),
    min_depth = depth_option(opts.min_depth, "min_depth") or 0,
    max_depth = depth_option(opts.max_depth, "max_depth"),
    max_iterations = depth_option(opts.max_iterations, "max_iterations"),
  }
  if t.order == "postorder" and t.strategy == "bfs" then
    errors.ArangoOptionError:raise("traverse: order \"postorder\" needs strategy \"dfs\"")
  end
  if t.max_depth == nil then
    if t.unique_vertices == "none" and t.unique_edges == "none" then
      errors.ArangoOptionError:raise("traverse: without vertex or edge uniqueness a traversal of a cyclic "
        .. "graph never ends: give max_depth")
    end
    t.max_depth = UNBOUNDED_DEPTH
  end
  if t.min_depth > t.max_depth then
    errors.ArangoOptionError:raise("traverse: min_depth must not exceed max_depth")
  end
  return t
end

-- The id a path ends at (its last vertex may be null when an edge dangles).
local function end_id(path)
  local v = path.vertices[#path.vertices]
  if type(v) == "table" and type(v._id) == "string" then return v._id end
  local e = path.edges[#path.edges]
  return "?" .. tostring(type(e) == "table" and e._id or "")
end

-- Rebuild the tree of paths (every prefix of a returned path was returned before it).
local function path_tree(results)
  local root
  local by_key = {}
  for _, p in ipairs(results) do
    local edges = p.edges or {}
    local ids = {}
    for i, e in ipairs(edges) do ids[i] = type(e) == "table" and tostring(e._id) or "?" end
    local node = { path = { edges = p.edges, vertices = p.vertices }, depth = #edges, children = {},
      vertex = p.vertices[#p.vertices], id = end_id(p), edge_id = ids[#ids] }
    if #edges == 0 then
      if root == nil then root = node end
      by_key[""] = root
    else
      local key = table.concat(ids, "\n")
      local parent = by_key[table.concat(ids, "\n", 1, #ids - 1)]
      if parent and not by_key[key] then
        by_key[key] = node
        parent.children[#parent.children + 1] = node
      end
    end
  end
  return root
end

-- Walk the tree in the requested order, applying global uniqueness and max_iterations.
local function walk(root, t)
  local vertices, paths = serializer.array({}), serializer.array({})
  local seen_vertices, seen_edges = {}, {}
  local visits = 0
  local function accept(node)
    if t.unique_vertices == "global" then
      if seen_vertices[node.id] then return false end
      seen_vertices[node.id] = true
    end
    if t.unique_edges == "global" and node.edge_id then
      if seen_edges[node.edge_id] then return false end
      seen_edges[node.edge_id] = true
    end
    visits = visits + 1
    if t.max_iterations and visits > t.max_iterations then
      errors.GraphTraverseError:raise("traverse: more than max_iterations (" .. t.max_iterations
        .. ") vertices visited")
    end
    return true
  end
  local function emit(node)
    if node.depth >= t.min_depth then
      vertices[#vertices + 1] = node.vertex
      paths[#paths + 1] = node.path
    end
  end
  local function children(node)
    if not t.backward then return node.children end
    local out, n = {}, #node.children
    for i = n, 1, -1 do out[n - i + 1] = node.children[i] end
    return out
  end
  accept(root)
  if t.strategy == "bfs" then
    local queue, head, tail = { root }, 1, 1
    while head <= tail do
      local node = queue[head]
      queue[head] = nil
      head = head + 1
      emit(node)
      for _, c in ipairs(children(node)) do
        if accept(c) then
          tail = tail + 1
          queue[tail] = c
        end
      end
    end
  else
    local function visit(node)
      if t.order ~= "postorder" then emit(node) end
      for _, c in ipairs(children(node)) do
        if accept(c) then visit(c) end
      end
      if t.order == "postorder" then emit(node) end
    end
    visit(root)
  end
  return { vertices = vertices, paths = paths }
end

--- Traverse the graph from a vertex (the seed's traversal, run as AQL because ArangoDB 3.12 removed
-- `/_api/traversal`).
-- @tparam table opts `start_vertex` (id or table with `_id`, required), `direction` ("outbound"
--   (default), "inbound", "any"), `strategy` ("dfs" (default) or "bfs"), `order` ("preorder"
--   (default), "postorder" (dfs only), "preorder-expander"), `item_order` ("forward" (default) or
--   "backward": siblings in reverse order), `vertex_uniqueness` ("none" (default), "path",
--   "global"), `edge_uniqueness` ("path" (default), "none", "global"), `min_depth` (default 0),
--   `max_depth` (default unbounded; required when both uniquenesses are "none"), `max_iterations`
--   (raise `GraphTraverseError` when more vertices would be visited). Global uniqueness other than
--   breadth-first/forward for vertices is applied by the driver over every per-path-unique path
--   the server returns: bound `max_depth` on large, dense graphs.
-- @treturn table `{vertices = {...}, paths = {{edges = {...}, vertices = {...}}, ...}}` in visiting
--   order, one path per visited vertex
function Graph:traverse(opts)
  local t = traverse_options(opts)
  -- Global uniqueness only runs on the server when its order is the one we walk in (bfs,
  -- forward); otherwise the server enumerates per-path-unique paths and the walk filters them.
  local server_vertices = t.unique_vertices
  if server_vertices == "global" and (t.strategy ~= "bfs" or t.backward) then server_vertices = "path" end
  local server_edges = t.unique_edges == "global" and "path" or t.unique_edges
  local filtered = server_vertices ~= t.unique_vertices or server_edges ~= t.unique_edges
  local bind = {
    start = t.start, graph = self._name, max_depth = t.max_depth, order = t.strategy,
    unique_vertices = server_vertices, unique_edges = server_edges,
  }
  local limit = ""
  if t.max_iterations and not filtered then
    -- one more than allowed, so that exceeding the limit is noticed
    bind.limit = t.max_iterations + 1
    limit = " LIMIT @limit"
  end
  -- The paths come back as ONE result document, so the traversal is a single request whatever
  -- the executor (no cursor batches to fetch afterwards).
  local query = "RETURN (FOR v, e, p IN 0..@max_depth " .. DIRECTIONS[t.direction] .. " @start GRAPH @graph"
    .. " OPTIONS { order: @order, uniqueVertices: @unique_vertices, uniqueEdges: @unique_edges }"
    .. limit .. " RETURN { vertices: p.vertices, edges: p.edges })"
  return self:_run({ method = "POST", endpoint = "/_api/cursor",
    data = { query = query, bindVars = serializer.object(bind) } }, errors.GraphTraverseError, function(resp)
    local result = resp.body.result
    local root = path_tree(type(result) == "table" and type(result[1]) == "table" and result[1] or {})
    if root == nil or type(root.vertex) ~= "table" then
      errors.GraphTraverseError:raise("traverse: start vertex '" .. t.start .. "' not found",
        { error_code = 1202 })
    end
    return walk(root, t)
  end)
end

return M
