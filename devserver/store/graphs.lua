-- Named graphs (ArangoDB's "general graphs"): their definitions live as documents in each
-- database's `_graphs` system collection, exactly like ArangoDB keeps them, so they persist
-- through the store's write-ahead log like any other document.
--
-- Read API (used by the AQL engine for `GRAPH "name"` and by devserver/api/gharial.lua):
--   graphs.get(db, name) -> graph | nil
--       graph = { name = "g",
--                 edge_definitions = { { collection = "e", from = { "a", ... }, to = { "b", ... } }, ... },
--                 orphan_collections = { "o", ... },
--                 doc = <the stored _graphs document> }
--       edge definitions are sorted by collection; from/to/orphans are sorted and unique
--   graphs.list(db) -> { graph, ... }                       (in the order of `_graphs`)
--   graphs.edge_collections(db, name) -> { "e", ... } | nil (sorted)
--   graphs.vertex_collections(db, name) -> { "v", ... } | nil (from/to of every edge
--       definition plus the orphans, sorted)
--
-- Write API (raise devserver errors with ArangoDB's status/errorNum; every function validates
-- all its input before it changes anything):
--   graphs.create(db, body, { waitForSync }) -> stored doc         (POST /_api/gharial)
--   graphs.drop(db, name, { drop_collections, waitForSync })
--   graphs.add_orphan(db, name, collection, { create_collection, waitForSync }) -> doc
--   graphs.remove_orphan(db, name, collection, { drop_collection, waitForSync }) -> doc
--   graphs.add_edge_definition(db, name, def, { waitForSync }) -> doc
--   graphs.replace_edge_definition(db, name, edge_collection, def, { waitForSync }) -> doc
--   graphs.remove_edge_definition(db, name, edge_collection, { drop_collections, waitForSync })
--   graphs.rename_collection(db, old, new) -> n  (hook for the collection rename API)
--   graphs.check_vertex_collection(db, graph, name) -> col     (404/1949, 404/1926)
--   graphs.check_edge_collection(db, graph, name) -> col       (404/1930, 404/1203)
--   graphs.check_edge(db, graph, doc, partial)                 (400/1233, 404/1947, 404/1202)
--   graphs.remove_document(db, graph, col, key, opts) -> result
--       removes a vertex (or edge) and, atomically, every edge that points at it in the edge
--       collections of `graph` and of any graph whose edge definitions use `col`.
local json = require "arango.json"
local errors = require "arango.devserver.errors"
local collection = require "arango.devserver.store.collection"
local keys = require "arango.devserver.store.keys"

local M = {}

M.COLLECTION = "_graphs"

local raise = errors.raise

-- Attributes of a stored graph document that belong to the definition itself; everything
-- else (cluster and SmartGraph properties) is carried along unchanged.
local OWN = { _key = true, _id = true, _rev = true, edgeDefinitions = true, orphanCollections = true }

local function sorted_unique(list)
  local seen, out = {}, {}
  for _, v in ipairs(list) do
    if not seen[v] then
      seen[v] = true
      out[#out + 1] = v
    end
  end
  table.sort(out)
  return out
end

-- Decoded JSON arrays carry the array marker; in-process callers pass plain sequences.
local function is_list(v)
  if type(v) ~= "table" then return false end
  if json.is_array(v) then return true end
  local n = 0
  for k in pairs(v) do
    if math.type(k) ~= "integer" then return false end
    n = n + 1
  end
  return n == #v
end

local function graphs_col(db, for_write)
  local col = db:collection(M.COLLECTION)
  if not col and for_write then raise(404, 1932) end
  return col
end

---------------------------------------------------------------------------------------------
-- Model

-- Validates one edge definition from user input; returns { collection, from, to }.
-- ArangoDB checks the shape first and rejects empty from/to sets (all 400/1923).
local function parse_edge_definition(def)
  if type(def) ~= "table" or (next(def) ~= nil and is_list(def)) then raise(400, 1923) end
  for _, k in ipairs{ "collection", "from", "to" } do
    if def[k] == nil then
      raise(400, 1923, "Attribute '" .. k .. "' missing in edge definition!")
    end
  end
  if type(def.collection) ~= "string" then raise(400, 1923, "edge definition is not a string!") end
  for _, k in ipairs{ "from", "to" } do
    local list = def[k]
    if not is_list(list) then raise(400, 1923, "Edge definition '" .. k .. "' is not an array!") end
    for _, v in ipairs(list) do
      if type(v) ~= "string" then
        raise(400, 1923, "Edge definition '" .. k .. "' does not only contain strings!")
      end
    end
  end
  local from, to = sorted_unique(def.from), sorted_unique(def.to)
  if #from == 0 or #to == 0 then raise(400, 1923) end
  return { collection = def.collection, from = from, to = to }
end
M.parse_edge_definition = parse_edge_definition

local function sort_defs(defs)
  table.sort(defs, function(a, b) return a.collection < b.collection end)
  return defs
end

-- The vertex collections used by the edge definitions (a set).
local function used_vertices(defs)
  local set = {}
  for _, d in ipairs(defs) do
    for _, v in ipairs(d.from) do set[v] = true end
    for _, v in ipairs(d.to) do set[v] = true end
  end
  return set
end

local function copy_list(list)
  local out = {}
  for i, v in ipairs(list) do out[i] = v end
  return out
end

-- A graph model from a stored document.
local function from_doc(doc)
  local defs = {}
  for _, d in ipairs(type(doc.edgeDefinitions) == "table" and doc.edgeDefinitions or {}) do
    defs[#defs + 1] = { collection = d.collection, from = sorted_unique(d.from or {}),
      to = sorted_unique(d.to or {}) }
  end
  local extra = {}
  for k, v in pairs(doc) do
    if not OWN[k] then extra[k] = v end
  end
  return {
    name = doc._key,
    edge_definitions = sort_defs(defs),
    orphan_collections = sorted_unique(type(doc.orphanCollections) == "table"
      and doc.orphanCollections or {}),
    extra = extra,
    doc = doc,
  }
end

-- The document stored in _graphs for a model (without _id/_rev: the store sets those).
local function to_doc(g)
  local d = { _key = g.name }
  for k, v in pairs(g.extra or {}) do d[k] = v end
  local defs = json.array{}
  for i, e in ipairs(sort_defs(g.edge_definitions)) do
    defs[i] = { collection = e.collection, from = json.array(copy_list(e.from)),
      to = json.array(copy_list(e.to)) }
  end
  d.edgeDefinitions = defs
  d.orphanCollections = json.array(sorted_unique(g.orphan_collections))
  return d
end

--- The graph `name` of `db` (see the header), or nil.
function M.get(db, name)
  local col = graphs_col(db)
  if not col or type(name) ~= "string" then return nil end
  local doc = col:get(name)
  if not doc then return nil end
  return from_doc(doc)
end

--- Every graph of `db`, in the order of the `_graphs` collection.
function M.list(db)
  local col = graphs_col(db)
  local out = {}
  if not col then return out end
  for doc in col:iterate() do out[#out + 1] = from_doc(doc) end
  return out
end

local function vertex_names(g)
  local set = used_vertices(g.edge_definitions)
  for _, o in ipairs(g.orphan_collections) do set[o] = true end
  local out = {}
  for k in pairs(set) do out[#out + 1] = k end
  table.sort(out)
  return out
end

local function edge_names(g)
  local out = {}
  for i, d in ipairs(g.edge_definitions) do out[i] = d.collection end
  return out
end

--- The sorted edge collections of graph `name`, or nil when there is no such graph.
function M.edge_collections(db, name)
  local g = M.get(db, name)
  return g and edge_names(g) or nil
end

--- The sorted vertex collections (edge definitions' from/to and orphans), or nil.
function M.vertex_collections(db, name)
  local g = M.get(db, name)
  return g and vertex_names(g) or nil
end

M.vertex_names, M.edge_names = vertex_names, edge_names

--- The graph object ArangoDB returns to clients: the stored document plus `name`.
function M.client(doc)
  local out = {}
  for k, v in pairs(doc) do out[k] = v end
  out.name = doc._key
  return out
end

local function lookup(db, name)
  local g = M.get(db, name)
  if not g then raise(404, 1924, errors.message(1924, tostring(name))) end
  return g
end
M.lookup = lookup

local function find_def(g, name)
  for i, d in ipairs(g.edge_definitions) do
    if d.collection == name then return d, i end
  end
  return nil
end

local function same_list(a, b)
  if #a ~= #b then return false end
  for i = 1, #a do if a[i] ~= b[i] then return false end end
  return true
end

-- An edge definition for the same collection in another graph must be identical (400/1921).
local function check_conflicts(db, defs, own_name)
  for _, other in ipairs(M.list(db)) do
    if other.name ~= own_name then
      for _, od in ipairs(other.edge_definitions) do
        for _, d in ipairs(defs) do
          if d.collection == od.collection
              and not (same_list(d.from, od.from) and same_list(d.to, od.to)) then
            raise(400, 1921, od.collection .. " " .. errors.message(1921))
          end
        end
      end
    end
  end
end

-- Options ArangoDB passes on to the collections a graph creates.
local function collection_props(g, ctype, wait_for_sync)
  local p = { type = ctype, waitForSync = wait_for_sync == true }
  local x = g.extra or {}
  if x.numberOfShards ~= nil then p.numberOfShards = x.numberOfShards end
  if x.replicationFactor ~= nil then p.replicationFactor = x.replicationFactor end
  if x.writeConcern ~= nil then p.writeConcern = x.writeConcern end
  return p
end

-- Makes sure every collection of `g` exists with a fitting type: edge collections must be
-- edge collections (400/1944); missing ones are created (edges as type 3, vertices as 2).
-- Validates everything before creating anything.
local function ensure_collections(db, g, wait_for_sync)
  local to_create, planned = {}, {}
  for _, d in ipairs(g.edge_definitions) do
    local col = db:collection(d.collection)
    if col then
      if col.type ~= 3 then
        raise(400, 1944, "Collection: '" .. col.name .. "' is not an EdgeCollection")
      end
    elseif not planned[d.collection] then
      planned[d.collection] = true
      to_create[#to_create + 1] = { d.collection, 3 }
    end
  end
  for _, v in ipairs(vertex_names(g)) do
    if not db:collection(v) and not planned[v] then
      planned[v] = true
      to_create[#to_create + 1] = { v, 2 }
    end
  end
  for _, c in ipairs(to_create) do
    if not collection.valid_name(c[1], false) then
      raise(400, 1208, "illegal name: collection name '" .. tostring(c[1]) .. "' is invalid")
    end
  end
  for _, c in ipairs(to_create) do
    db:create_collection(c[1], collection_props(g, c[2], wait_for_sync))
  end
end

local function store(db, g, is_new, wait_for_sync)
  local col = graphs_col(db, true)
  local doc = to_doc(g)
  local o = { waitForSync = wait_for_sync == true }
  if is_new then
    col:insert(doc, o)
  else
    col:replace(g.name, doc, o)
  end
  return col:get(g.name)
end

---------------------------------------------------------------------------------------------
-- Graph definitions

local function bool_opt(v) return v == true end

-- The cluster/SmartGraph properties ArangoDB keeps for SmartGraphs and SatelliteGraphs
-- (a single server records them as given; plain graphs have none).
local function cluster_props(body, defs, orphans)
  local options = type(body.options) == "table" and not json.is_array(body.options) and body.options or {}
  local smart = body.isSmart == true
  local satellite = options.replicationFactor == "satellite"
  if not smart and not satellite then return {} end
  local x = {}
  if satellite and not smart then
    x.numberOfShards = 1
    x.replicationFactor = "satellite"
  else
    x.numberOfShards = math.tointeger(options.numberOfShards) or 1
    x.replicationFactor = math.tointeger(options.replicationFactor) or 1
    local wc = math.tointeger(options.writeConcern) or math.tointeger(options.minReplicationFactor) or 1
    x.minReplicationFactor = wc
    x.writeConcern = wc
  end
  x.isSmart = smart
  x.isSatellite = satellite and not smart
  -- the "initial" collection: the first vertex collection sharding starts from
  local initial = defs[1] and defs[1].from[1] or orphans[1]
  if initial then x.initial = initial end
  if smart then
    if type(options.smartGraphAttribute) == "string" then
      x.smartGraphAttribute = options.smartGraphAttribute
    end
    x.isDisjoint = bool_opt(options.isDisjoint) or bool_opt(body.isDisjoint)
  end
  return x
end

--- Creates a graph from a POST /_api/gharial body; returns the stored document.
function M.create(db, body, opts)
  opts = opts or {}
  if type(body) ~= "table" or json.is_array(body) then raise(400, 1922) end
  local name = body.name
  if type(name) ~= "string" then raise(400, 1922) end
  if name == "" then raise(400, 1922) end
  if not keys.valid(name) then raise(400, 1221) end
  if M.get(db, name) then raise(409, 1925) end

  local defs, seen = {}, {}
  local ed = body.edgeDefinitions
  if ed ~= nil then
    if not is_list(ed) then
      raise(400, 1901, "'edgeDefinitions' are not an array in the graph definition")
    end
    for _, raw in ipairs(ed) do
      local d = parse_edge_definition(raw)
      if seen[d.collection] then
        raise(400, 1920, d.collection .. " " .. errors.message(1920))
      end
      seen[d.collection] = true
      defs[#defs + 1] = d
    end
  end
  sort_defs(defs)
  local used = used_vertices(defs)
  local orphans = {}
  local oc = body.orphanCollections
  if oc ~= nil then
    if not is_list(oc) then
      raise(400, 1901, "'orphanCollections' are not an array in the graph definition")
    end
    for _, o in ipairs(oc) do
      if type(o) ~= "string" then raise(400, 1943, "orphan collection is not a string!") end
      -- an orphan that an edge definition already uses is not an orphan (ArangoDB drops it)
      if not used[o] then orphans[#orphans + 1] = o end
    end
  end
  orphans = sorted_unique(orphans)
  local g = { name = name, edge_definitions = defs, orphan_collections = orphans,
    extra = cluster_props(body, defs, orphans) }
  check_conflicts(db, defs, name)
  ensure_collections(db, g, opts.waitForSync)
  return store(db, g, true, opts.waitForSync)
end

-- True when no graph other than `except` uses collection `name` in any role.
local function unused_elsewhere(db, name, except)
  for _, other in ipairs(M.list(db)) do
    if other.name ~= except then
      for _, d in ipairs(other.edge_definitions) do
        if d.collection == name then return false end
        for _, v in ipairs(d.from) do if v == name then return false end end
        for _, v in ipairs(d.to) do if v == name then return false end end
      end
      for _, o in ipairs(other.orphan_collections) do if o == name then return false end end
    end
  end
  return true
end

local function drop_if_present(db, name)
  local col = db:collection(name)
  if col and not col.is_system then db:drop_collection(name) end
end

--- Drops graph `name`; with drop_collections also its collections that no other graph uses.
function M.drop(db, name, opts)
  opts = opts or {}
  local g = lookup(db, name)
  local victims = {}
  if opts.drop_collections then
    local names = vertex_names(g)
    for _, e in ipairs(edge_names(g)) do names[#names + 1] = e end
    for _, c in ipairs(names) do
      if db:collection(c) and unused_elsewhere(db, c, g.name) then victims[#victims + 1] = c end
    end
  end
  graphs_col(db, true):remove(g.name, { waitForSync = opts.waitForSync == true })
  for _, c in ipairs(victims) do drop_if_present(db, c) end
end

--- Adds `collection` to the orphans of graph `name` (creating it unless create_collection
-- is false). Returns the stored graph document.
function M.add_orphan(db, name, coll, opts)
  opts = opts or {}
  local g = lookup(db, name)
  if type(coll) ~= "string" then raise(400, 10, "expecting 'collection' to be a string") end
  for _, o in ipairs(g.orphan_collections) do
    if o == coll then raise(400, 1938) end
  end
  if used_vertices(g.edge_definitions)[coll] then
    raise(400, 1929, coll .. " " .. errors.message(1929))
  end
  local existing = db:collection(coll)
  if not existing then
    if opts.create_collection == false then
      raise(404, 1926, coll .. " " .. errors.message(1926))
    end
  elseif existing.type ~= 2 then
    raise(400, 1927)
  end
  g.orphan_collections[#g.orphan_collections + 1] = coll
  g.orphan_collections = sorted_unique(g.orphan_collections)
  ensure_collections(db, g, opts.waitForSync)
  return store(db, g, false, opts.waitForSync)
end

--- Removes `collection` from the orphans of graph `name` (400/1928 when it is not one);
-- drop_collection also drops it when no graph uses it any more.
function M.remove_orphan(db, name, coll, opts)
  opts = opts or {}
  local g = lookup(db, name)
  local idx
  for i, o in ipairs(g.orphan_collections) do
    if o == coll then idx = i end
  end
  if not idx then raise(400, 1928) end
  table.remove(g.orphan_collections, idx)
  local doc = store(db, g, false, opts.waitForSync)
  if opts.drop_collection and unused_elsewhere(db, coll, nil) then drop_if_present(db, coll) end
  return doc
end

-- After an edge definition went away or changed: vertex collections no edge definition uses
-- any more become orphans (ArangoDB's rebuildOrphans).
local function rebuild_orphans(g, old_def)
  local used = used_vertices(g.edge_definitions)
  local orphans = copy_list(g.orphan_collections)
  local oset = {}
  for _, o in ipairs(orphans) do oset[o] = true end
  for _, list in ipairs{ old_def.from, old_def.to } do
    for _, v in ipairs(list) do
      if not used[v] and not oset[v] then
        oset[v] = true
        orphans[#orphans + 1] = v
      end
    end
  end
  -- orphans that an edge definition uses now are vertex collections, not orphans
  local out = {}
  for _, o in ipairs(orphans) do
    if not used[o] then out[#out + 1] = o end
  end
  g.orphan_collections = sorted_unique(out)
end

--- Adds an edge definition to graph `name`. Returns the stored graph document.
function M.add_edge_definition(db, name, def, opts)
  opts = opts or {}
  local g = lookup(db, name)
  local d = parse_edge_definition(def)
  if find_def(g, d.collection) then raise(400, 1920, d.collection .. " " .. errors.message(1920)) end
  g.edge_definitions[#g.edge_definitions + 1] = d
  sort_defs(g.edge_definitions)
  rebuild_orphans(g, { from = {}, to = {} })
  check_conflicts(db, { d }, g.name)
  ensure_collections(db, g, opts.waitForSync)
  return store(db, g, false, opts.waitForSync)
end

--- Replaces the edge definition of `edge_collection` in graph `name` and in every other
-- graph that has one for the same collection. Returns the stored document of graph `name`.
function M.replace_edge_definition(db, name, edge_collection, def, opts)
  opts = opts or {}
  local g = lookup(db, name)
  local d = parse_edge_definition(def)
  if not find_def(g, edge_collection) or not find_def(g, d.collection) then raise(404, 1930) end
  -- validate every affected graph before writing any of them
  local affected = {}
  for _, other in ipairs(M.list(db)) do
    local _, i = find_def(other, d.collection)
    if i then
      local old = other.edge_definitions[i]
      other.edge_definitions[i] = d
      rebuild_orphans(other, old)
      affected[#affected + 1] = other
    end
  end
  for _, other in ipairs(affected) do ensure_collections(db, other, opts.waitForSync) end
  local mine
  for _, other in ipairs(affected) do
    local doc = store(db, other, false, opts.waitForSync)
    if other.name == g.name then mine = doc end
  end
  return mine
end

--- Removes the edge definition of `edge_collection` from graph `name` (404/1930 when it has
-- none); its vertex collections that nothing else uses become orphans. drop_collections
-- also drops the edge collection when no other graph uses it.
function M.remove_edge_definition(db, name, edge_collection, opts)
  opts = opts or {}
  local g = lookup(db, name)
  local d, i = find_def(g, edge_collection)
  if not d then raise(404, 1930) end
  table.remove(g.edge_definitions, i)
  rebuild_orphans(g, d)
  local doc = store(db, g, false, opts.waitForSync)
  if opts.drop_collections and unused_elsewhere(db, edge_collection, g.name) then
    drop_if_present(db, edge_collection)
  end
  return doc
end

--- Follows a collection rename in every graph definition of `db` (ArangoDB renames graph
-- collections inside `_graphs` too). Returns the number of graphs changed.
function M.rename_collection(db, old_name, new_name)
  local changed = 0
  for _, g in ipairs(M.list(db)) do
    local hit = false
    local function swap(list)
      for i, v in ipairs(list) do
        if v == old_name then
          list[i] = new_name
          hit = true
        end
      end
      return sorted_unique(list)
    end
    for _, d in ipairs(g.edge_definitions) do
      if d.collection == old_name then
        d.collection = new_name
        hit = true
      end
      d.from, d.to = swap(d.from), swap(d.to)
    end
    g.orphan_collections = swap(g.orphan_collections)
    if hit then
      store(db, g, false, false)
      changed = changed + 1
    end
  end
  return changed
end

---------------------------------------------------------------------------------------------
-- Documents through a graph

--- The vertex collection `coll` of graph `g`: 404/1949 when the graph does not use it,
-- 404/1926 when it does not exist.
function M.check_vertex_collection(db, g, coll)
  local found = false
  for _, v in ipairs(vertex_names(g)) do
    if v == coll then found = true break end
  end
  if not found then raise(404, 1949) end
  local col = db:collection(coll)
  if not col then raise(404, 1926, coll .. " " .. errors.message(1926)) end
  return col
end

--- The edge collection `coll` of graph `g`: 404/1930 when no edge definition names it.
function M.check_edge_collection(db, g, coll)
  if not find_def(g, coll) then raise(404, 1930) end
  local col = db:collection(coll)
  if not col then raise(404, 1203) end
  return col
end

-- Splits a vertex handle; nil when it has no "/".
local function split_handle(h)
  local slash = h:find("/", 1, true)
  if not slash then return nil end
  return h:sub(1, slash - 1), h:sub(slash + 1)
end

local function check_endpoint(db, g, handle, attr)
  local cname, key = split_handle(handle)
  if not cname then raise(400, 1233) end
  local found = false
  for _, v in ipairs(vertex_names(g)) do
    if v == cname then found = true break end
  end
  -- 404 since ArangoDB 3.10 (its API-changes notes: the status of 1947 moved from 400 to
  -- 404, in line with 1930 for an edge collection outside the graph).
  if not found then
    raise(404, 1947, "referenced " .. attr .. " collection '" .. cname .. "' is not part of the graph")
  end
  local col = db:collection(cname)
  if not col then raise(404, 1926, cname .. " " .. errors.message(1926)) end
  return col, key
end

--- Checks an edge written through graph `g` like ArangoDB's GraphOperations: _from and _to
-- must be "collection/key" handles of vertex collections of the graph (400/1233, 404/1947)
-- whose vertices exist (404/1202). `partial` (PATCH): only the attributes present are
-- checked, and the vertices' existence only when both are given.
function M.check_edge(db, g, doc, partial)
  local from, to = doc._from, doc._to
  if type(from) ~= "string" or type(to) ~= "string" then
    if not partial then raise(400, 1233) end
    if type(from) == "string" then check_endpoint(db, g, from, "_from") end
    if type(to) == "string" then check_endpoint(db, g, to, "_to") end
    return
  end
  local fcol, fkey = check_endpoint(db, g, from, "_from")
  local tcol, tkey = check_endpoint(db, g, to, "_to")
  if not fcol:get(fkey) or not tcol:get(tkey) then raise(404, 1202) end
end

-- The edge collections whose edges may point at documents of `coll`: every edge collection
-- of `g`, plus those of any graph whose edge definitions use `coll` as a vertex collection.
local function cascade_collections(db, g, coll)
  local names, seen = {}, {}
  local function add(n)
    if not seen[n] then
      seen[n] = true
      names[#names + 1] = n
    end
  end
  for _, n in ipairs(edge_names(g)) do add(n) end
  for _, other in ipairs(M.list(db)) do
    for _, d in ipairs(other.edge_definitions) do
      local uses = false
      for _, v in ipairs(d.from) do if v == coll then uses = true end end
      for _, v in ipairs(d.to) do if v == coll then uses = true end end
      if uses then add(d.collection) end
    end
  end
  return names
end

--- Removes document `key` of collection object `col` and every edge pointing at it (see the
-- header) in one transaction: all or nothing in memory and in the log. opts: the store's
-- remove options (waitForSync, returnOld, ifMatch).
function M.remove_document(db, g, col, key, opts)
  opts = opts or {}
  return db.server:run_in_transaction(function(trx)
    local own = setmetatable({ trx = trx }, { __index = opts })
    local result = col:remove(key, own) -- raises (404/1202, 412/1200) before anything changed
    local edge_opts = { trx = trx, waitForSync = opts.waitForSync }
    for _, ename in ipairs(cascade_collections(db, g, col.name)) do
      local ecol = db:collection(ename)
      if ecol and ecol.type == 3 then
        for _, e in ipairs(ecol:edges(result._id, "any")) do
          if ecol:get(e._key) then ecol:remove(e._key, edge_opts) end
        end
      end
    end
    return result
  end)
end

return M
