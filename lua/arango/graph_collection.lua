--- Vertex and edge collections of a named graph.
--
-- Obtained with `graph:vertex_collection(name)` and `graph:edge_collection(name)`. Their document
-- methods (`insert`, `get`, `has`, `update`, `replace`, `delete`, and `link`/`edges` on edge
-- collections) go through the graph API (`/_api/gharial/{graph}/...`), so the server applies the
-- graph's safeguards: edges must match an edge definition, and deleting a vertex deletes every
-- edge of the graph that touches it. Every other method (properties, count, find, indexes, the
-- `*_many` bulk calls ...) is the plain `arango.collection` one and bypasses those safeguards.
--
-- Document arguments are keys, ids ("collection/key") or tables with `_key`/`_id`; malformed ones
-- raise `DocumentParseError` before any request. A missing document from `get` is nil.
-- @module arango.graph_collection

local request_mod = require "arango.request"
local errors = require "arango.errors"
local options = require "arango.options"
local document = require "arango.document"
local Collection = require("arango.collection").Collection

local escape = request_mod.escape

local M = {}

local VertexCollection = setmetatable({}, { __index = Collection })
VertexCollection.__index = VertexCollection
M.VertexCollection = VertexCollection

local EdgeCollection = setmetatable({}, { __index = VertexCollection })
EdgeCollection.__index = EdgeCollection
M.EdgeCollection = EdgeCollection

-- What the graph API calls this kind of collection, and the body attribute it answers with.
VertexCollection._kind = "vertex"
EdgeCollection._kind = "edge"

-- A collection handle of `class` that runs through the graph's database and knows its graph.
local function new_graph_collection(class, graph, name)
  local self = Collection.new(graph._db, name)
  self._graph = graph
  return setmetatable(self, class)
end

--- Create a vertex collection handle (normally via `graph:vertex_collection(name)`).
-- @param graph the `arango.graph` Graph it belongs to
-- @tparam string name
-- @return the VertexCollection
function VertexCollection.new(graph, name)
  return new_graph_collection(VertexCollection, graph, name)
end

--- Create an edge collection handle (normally via `graph:edge_collection(name)`).
-- @param graph the `arango.graph` Graph it belongs to
-- @tparam string name
-- @return the EdgeCollection
function EdgeCollection.new(graph, name)
  return new_graph_collection(EdgeCollection, graph, name)
end

--- The graph this collection belongs to.
-- @return the Graph
function VertexCollection:graph() return self._graph end

function VertexCollection:_gharial_path(key)
  return "/_api/gharial/" .. escape(self._graph._name) .. "/" .. self._kind .. "/" .. escape(self._name)
    .. (key and ("/" .. escape(key)) or "")
end

-- A document as a request body: its _id (checked to belong here) becomes _key.
function VertexCollection:_body(doc)
  return document.body(doc, self._name, self._kind)
end

-- The metadata object of a write answer (`vertex` or `edge`) with `new`/`old` attached.
function VertexCollection:_result(resp, opts)
  if opts.silent then return true end
  local body = resp.body
  local out = {}
  for k, v in pairs(body[self._kind] or {}) do out[k] = v end
  if body.new ~= nil then out.new = body.new end
  if body.old ~= nil then out.old = body.old end
  return out
end

local rev_headers = document.rev_headers

local GET_OPTIONS = { rev = false, check_rev = false }
local INSERT_OPTIONS = { sync = "waitForSync", return_new = "returnNew", silent = false }
local UPDATE_OPTIONS = {
  check_rev = false, keep_null = "keepNull", sync = "waitForSync", return_old = "returnOld",
  return_new = "returnNew", silent = false,
}
local REPLACE_OPTIONS = UPDATE_OPTIONS
local DELETE_OPTIONS = {
  rev = false, check_rev = false, ignore_missing = false, sync = "waitForSync", return_old = "returnOld",
}

--- Get a document through the graph; nil when it does not exist.
-- @param doc a key, an id or a table with `_key`/`_id` (and `_rev` to check)
-- @tparam[opt] table opts `{rev, check_rev = true}`
-- @treturn ?table the document
function VertexCollection:get(doc, opts)
  local _, key = document.resolve(self._name, doc)
  opts = options.check(opts, GET_OPTIONS, "get")
  local headers = rev_headers(doc, opts)
  return self:_run_document({ method = "GET", endpoint = self:_gharial_path(key), headers = headers },
    errors.DocumentGetError, function(resp) return resp.body[self._kind] end,
    { read = true, ignore_missing = true })
end

--- Tell whether a document exists (through the graph).
-- @param doc a key, an id or a table with `_key`/`_id` (and `_rev` to check)
-- @tparam[opt] table opts `{rev, check_rev = true}`
-- @treturn boolean
function VertexCollection:has(doc, opts)
  local _, key = document.resolve(self._name, doc)
  opts = options.check(opts, GET_OPTIONS, "has")
  local headers = rev_headers(doc, opts)
  return self:_run_document({ method = "GET", endpoint = self:_gharial_path(key), headers = headers },
    errors.DocumentInError, function() return true end,
    { read = true, ignore_missing = true, missing_value = false })
end

-- Edges must name both ends: the server would answer with a less helpful error.
local function check_new(kind, doc)
  if kind ~= "edge" then return end
  for _, field in ipairs({ "_from", "_to" }) do
    local v = rawget(doc, field)
    if type(v) ~= "string" then
      errors.DocumentParseError:raise("edge " .. field .. " must be a document id (got " .. type(v) .. ")")
    end
    document.split_id(v)
  end
end

--- Insert a document (a vertex, or an edge with `_from` and `_to`) through the graph.
-- @tparam table doc
-- @tparam[opt] table opts `{sync, silent, return_new}`
-- @treturn table `{_id, _key, _rev, new?}` (true when `silent`)
function VertexCollection:insert(doc, opts)
  local params = options.map(opts, INSERT_OPTIONS, "insert")
  local body = self:_body(doc)
  check_new(self._kind, body)
  return self:_run({ method = "POST", endpoint = self:_gharial_path(), params = params, data = body },
    errors.DocumentInsertError, function(resp) return self:_result(resp, opts or {}) end)
end

local function modify(self, method, doc, opts, err_class, what)
  local _, key = document.resolve(self._name, doc)
  local params = options.map(opts, method == "PATCH" and UPDATE_OPTIONS or REPLACE_OPTIONS, what)
  opts = opts or {}
  local body = self:_body(doc)
  if method == "PUT" then check_new(self._kind, body) end
  return self:_run_document({ method = method, endpoint = self:_gharial_path(key), params = params,
    headers = rev_headers(doc, opts), data = body }, err_class,
    function(resp) return self:_result(resp, opts) end)
end

--- Update (patch) a document through the graph; `doc` must carry `_key` or `_id`.
-- @tparam table doc the attributes to change (and `_rev` to check)
-- @tparam[opt] table opts `{check_rev = true, keep_null = true, sync, silent, return_old, return_new}`
-- @treturn table `{_id, _key, _rev, _oldRev, old?, new?}` (true when `silent`)
function VertexCollection:update(doc, opts)
  return modify(self, "PATCH", doc, opts, errors.DocumentUpdateError, "update")
end

--- Replace a document through the graph; `doc` must carry `_key` or `_id` (edges: `_from`, `_to`).
-- @tparam table doc the new document (and `_rev` to check)
-- @tparam[opt] table opts `{check_rev = true, keep_null, sync, silent, return_old, return_new}`
-- @treturn table `{_id, _key, _rev, _oldRev, old?, new?}` (true when `silent`)
function VertexCollection:replace(doc, opts)
  return modify(self, "PUT", doc, opts, errors.DocumentReplaceError, "replace")
end

--- Delete a document through the graph (for a vertex: with every edge of the graph touching it).
-- @param doc a key, an id or a table with `_key`/`_id` (and `_rev` to check)
-- @tparam[opt] table opts `{rev, check_rev = true, ignore_missing = false, sync, return_old}`
-- @return true, `{removed = true, old = ...}` with `return_old`, or false when missing and
--   `ignore_missing`
function VertexCollection:delete(doc, opts)
  local _, key = document.resolve(self._name, doc)
  local params = options.map(opts, DELETE_OPTIONS, "delete")
  opts = opts or {}
  return self:_run_document({ method = "DELETE", endpoint = self:_gharial_path(key), params = params,
    headers = rev_headers(doc, opts) }, errors.DocumentDeleteError, function(resp)
      if resp.body.old ~= nil then return { removed = resp.body.removed, old = resp.body.old } end
      return true
    end, { ignore_missing = opts.ignore_missing, missing_value = false })
end

-- The id of a vertex given as an id or a table with `_id` (resolve_id raises on anything else).
local function vertex_id(value)
  local _, _, id = document.resolve_id(value)
  return id
end

--- Insert an edge from one vertex to another.
-- @param from_vertex the source: an id or a table with `_id`
-- @param to_vertex the target: an id or a table with `_id`
-- @tparam[opt] table opts `{data = {...} (more attributes), sync, silent, return_new}`
-- @treturn table `{_id, _key, _rev, new?}` (true when `silent`)
function EdgeCollection:link(from_vertex, to_vertex, opts)
  opts = options.check(opts, { data = true, sync = true, silent = true, return_new = true }, "link")
  local edge = {}
  if opts.data ~= nil then
    if type(opts.data) ~= "table" then errors.ArangoOptionError:raise("link: data must be a table") end
    for k, v in pairs(opts.data) do edge[k] = v end
  end
  edge._from = vertex_id(from_vertex)
  edge._to = vertex_id(to_vertex)
  return self:insert(edge, { sync = opts.sync, silent = opts.silent, return_new = opts.return_new })
end

local DIRECTIONS = { ["in"] = true, out = true, any = true }

--- The edges of this collection touching a vertex (`GET /_api/edges/{collection}`).
-- @param vertex an id or a table with `_id`
-- @tparam[opt] table opts `{direction = "in"|"out"}` (default both)
-- @treturn table `{edges = {...}, stats = {...}}`
function EdgeCollection:edges(vertex, opts)
  opts = options.check(opts, { direction = true }, "edges")
  local id = vertex_id(vertex, "edges: vertex")
  local params = { vertex = id }
  if opts.direction ~= nil then
    if not DIRECTIONS[opts.direction] then
      errors.ArangoOptionError:raise("edges: direction must be \"in\", \"out\" or \"any\" (got "
        .. tostring(opts.direction) .. ")")
    end
    params.direction = opts.direction
  end
  return self:_run({ method = "GET", endpoint = "/_api/edges/" .. escape(self._name), params = params },
    errors.EdgeListError, function(resp) return { edges = resp.body.edges, stats = resp.body.stats } end)
end

return M
