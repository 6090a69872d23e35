-- Graph traversals (FOR v, e, p IN min..max DIR start edges|GRAPH g) and path searches
-- (SHORTEST_PATH, K_SHORTEST_PATHS, K_PATHS, ALL_SHORTEST_PATHS) over edge collections.
-- Named graphs are read from the database's `_graphs` collection (ArangoDB's layout:
-- { _key = name, edgeDefinitions = [{collection, from, to}], orphanCollections }).
local V = require "arango.devserver.aql.values"
local compiler = require "arango.devserver.aql.compiler"
local errors = require "arango.devserver.errors"

local M = {}

local null = V.null
local array_mt = V.array_mt
local compile = compiler.compile
local truthy = V.truthy
local to_int = compiler.to_int

local function arr(t) return setmetatable(t, array_mt) end

local function copy_row(r)
  local n = {}
  for k, v in pairs(r) do n[k] = v end
  return n
end

-- Constant options object of a traversal / path search.
local function options_of(stmt, q)
  if not stmt.options then return {} end
  local ok, v = compiler.constant_value(stmt.options, q)
  if not ok or type(v) ~= "table" or V.is_array(v) then
    q:parse_fail(1575, "query options must be readable at query compile time")
  end
  return v
end

-- Resolves the edge collections: a list of { name, direction }.
local function edge_collections(stmt, q, row)
  local list = {}
  if stmt.graph then
    local gname = compile(stmt.graph, q)(row)
    if type(gname) ~= "string" then
      errors.raise(400, 1924, "graph name must be a string (while parsing)")
    end
    local graphs = q.db and q.db:collection("_graphs")
    local g = graphs and graphs:get(gname)
    if not g then errors.raise(404, 1924, string.format("graph '%s' not found", gname)) end
    for _, def in ipairs(g.edgeDefinitions or {}) do
      list[#list + 1] = { name = def.collection, direction = stmt.direction }
    end
    return list
  end
  for _, e in ipairs(stmt.edges) do
    local name
    if e.collection.type == "bindcol" then name = q:bindcol_value(e.collection.name)
    elseif e.collection.type == "bind" then name = q:bind_value(e.collection.name)
    else name = e.collection.name end
    q:check_collection(name)
    list[#list + 1] = { name = name, direction = e.direction or stmt.direction }
  end
  return list
end

-- Vertex id of a start/target value: "coll/key" strings or objects with _id.
local function vertex_id(q, v, what)
  if type(v) == "string" and v:find("/", 1, true) then return v end
  if type(v) == "table" and not V.is_array(v) and type(v._id) == "string" then return v._id end
  q:warn(10, string.format("Invalid input for %s: Only id strings or objects with _id are allowed", what))
  return nil
end

-- Fetches a vertex document by id; null when absent (ArangoDB warns and yields null too).
local function fetch_vertex(q, id, cache)
  local d = cache[id]
  if d ~= nil then return d end
  local coll, key = id:match("^([^/]+)/(.+)$")
  local col = coll and q.db and q.db:collection(coll)
  d = col and col:get(key) or null
  q.stats.documentLookups = q.stats.documentLookups + 1
  cache[id] = d
  return d
end

-- The neighbours of vertex `id`: list of { edge, to } in edge-index order.
local function neighbours(q, edges, id, opts)
  local out = {}
  for _, ec in ipairs(edges) do
    local col = q.db:collection(ec.name)
    if col and col.edges then
      local dirs = ec.direction == "any" and { "out", "in" }
        or { ec.direction == "outbound" and "out" or "in" }
      local seen = {}
      for _, d in ipairs(dirs) do
        for _, e in ipairs(col:edges(id, d)) do
          if not seen[e] then
            seen[e] = true
            local to
            if d == "out" then to = e._to else to = e._from end
            if ec.direction == "any" and e._from == id and d == "in" then to = e._to end
            q.stats.scannedIndex = q.stats.scannedIndex + 1
            if not opts.vertex_collections or opts.vertex_collections[to:match("^([^/]+)/") or ""] then
              out[#out + 1] = { edge = e, to = to }
            end
          end
        end
      end
    end
  end
  return out
end

local function weight_of(opts, edge)
  if not opts.weight_attribute then return 1 end
  local w = edge[opts.weight_attribute]
  if type(w) ~= "number" then w = opts.default_weight end
  return w
end

-- Path entries form a linked list (parent pointers) so extending a path costs O(1).
local function path_of(entry)
  local vs, es = {}, {}
  local chain = {}
  local e = entry
  while e do chain[#chain + 1] = e; e = e.parent end
  for i = #chain, 1, -1 do
    local c = chain[i]
    vs[#vs + 1] = c.vertex
    if c.edge then es[#es + 1] = c.edge end
  end
  return arr(vs), arr(es)
end

local function on_path(entry, id)
  local e = entry
  while e do
    if e.id == id then return true end
    e = e.parent
  end
  return false
end

local function edge_on_path(entry, edge)
  local e = entry
  while e do
    if e.edge == edge then return true end
    e = e.parent
  end
  return false
end

local function parse_options(raw, q)
  local opts = {}
  local order = raw.order
  if raw.bfs == true then order = "bfs" end
  if order ~= nil and order ~= null and order ~= "bfs" and order ~= "dfs" and order ~= "weighted" then
    q:parse_fail(10, "invalid traversal order '" .. tostring(order) .. "'")
  end
  opts.order = (order == nil or order == null) and "dfs" or order
  opts.unique_vertices = raw.uniqueVertices or "none"
  opts.unique_edges = raw.uniqueEdges or "path"
  if opts.unique_vertices == "global" and opts.order == "dfs" then
    q:parse_fail(10, "uniqueVertices: 'global' is only supported with order: 'bfs' or 'weighted'")
  end
  if type(raw.weightAttribute) == "string" and raw.weightAttribute ~= "" then
    opts.weight_attribute = raw.weightAttribute
  end
  opts.default_weight = type(raw.defaultWeight) == "number" and raw.defaultWeight or 1
  if raw.vertexCollections ~= nil and raw.vertexCollections ~= null then
    local vc = raw.vertexCollections
    if type(vc) == "string" then vc = { vc } end
    opts.vertex_collections = {}
    for _, c in ipairs(vc) do opts.vertex_collections[c] = true end
  end
  if raw.edgeCollections ~= nil and raw.edgeCollections ~= null then
    local ecs = raw.edgeCollections
    if type(ecs) == "string" then ecs = { ecs } end
    opts.edge_collections = {}
    for _, c in ipairs(ecs) do opts.edge_collections[c] = true end
  end
  return opts
end

-- Depth bounds: nil -> 1..1, n -> n..n, a..b -> a..b.
local function depth_fns(stmt, q)
  local d = stmt.depth
  if not d then return function() return 1, 1 end end
  if d.type == "range" then
    local a, b = compile(d.from, q), compile(d.to, q)
    return function(row) return to_int(a(row)), to_int(b(row)) end
  end
  local f = compile(d, q)
  return function(row)
    local v = f(row)
    if V.is_array(v) then return to_int(v[1]), to_int(v[#v]) end
    local n = to_int(v)
    return n, n
  end
end

-- Minimal binary heap on (key, seq).
local function heap_push(h, item)
  h[#h + 1] = item
  local i = #h
  while i > 1 do
    local p = i // 2
    local a, b = h[p], h[i]
    if a.key < b.key or (a.key == b.key and a.seq < b.seq) then break end
    h[p], h[i] = b, a
    i = p
  end
end

local function heap_pop(h)
  local n = #h
  if n == 0 then return nil end
  local top = h[1]
  h[1] = h[n]
  h[n] = nil
  n = n - 1
  local i = 1
  while true do
    local l, r, m = 2 * i, 2 * i + 1, i
    local function less(x, y) return x.key < y.key or (x.key == y.key and x.seq < y.seq) end
    if l <= n and less(h[l], h[m]) then m = l end
    if r <= n and less(h[r], h[m]) then m = r end
    if m == i then break end
    h[m], h[i] = h[i], h[m]
    i = m
  end
  return top
end

--- FOR v, e, p IN min..max DIR start edges [PRUNE ...] [OPTIONS ...]
function M.traversal(stmt, q)
  local opts = parse_options(options_of(stmt, q), q)
  local start_f = compile(stmt.start, q)
  local depth_f = depth_fns(stmt, q)
  local prune_f = stmt.prune and compile(stmt.prune, q)
  local prune_var = stmt.prune_var
  local vvar, evar, pvar = stmt.vars[1], stmt.vars[2], stmt.vars[3]
  -- the path is materialized only when the query can see it
  local need_path = pvar ~= nil

  local function results_for(row)
    local out = {}
    local start = vertex_id(q, start_f(row), "traversal")
    if not start then return out end
    local min, max = depth_f(row)
    local edges = edge_collections(stmt, q, row)
    if opts.edge_collections then
      local kept = {}
      for _, ec in ipairs(edges) do if opts.edge_collections[ec.name] then kept[#kept + 1] = ec end end
      edges = kept
    end
    local cache = {}
    local seq = 0
    local visited = {}
    local function make(parent, id, edge, depth, weight)
      seq = seq + 1
      return { parent = parent, id = id, vertex = fetch_vertex(q, id, cache), edge = edge, depth = depth,
        weight = weight, seq = seq, key = weight }
    end
    local root = make(nil, start, nil, 0, 0)
    if root.vertex == null then return out end
    visited[start] = true

    -- visit: emit when in range, decide whether to expand
    local function visit(entry)
      q:tick()
      local r = copy_row(row)
      r[vvar] = entry.vertex
      if evar then r[evar] = entry.edge or null end
      if need_path then
        local vs, es = path_of(entry)
        local p = { vertices = vs, edges = es }
        if opts.order == "weighted" then
          local ws, e = {}, entry
          local chain = {}
          while e do chain[#chain + 1] = e.weight; e = e.parent end
          for i = #chain, 1, -1 do ws[#ws + 1] = chain[i] end
          p.weights = arr(ws)
        end
        if pvar then r[pvar] = p end
      end
      local pruned = false
      if prune_f then
        local pv = prune_f(r)
        if prune_var then r[prune_var] = pv end
        pruned = truthy(pv)
      end
      if entry.depth >= min and entry.depth <= max then out[#out + 1] = r end
      return not pruned and entry.depth < max
    end

    local function expand(entry, push)
      for _, nb in ipairs(neighbours(q, edges, entry.id, opts)) do
        local ok = true
        if opts.unique_edges == "path" and edge_on_path(entry, nb.edge) then ok = false end
        if ok and opts.unique_vertices == "path" and on_path(entry, nb.to) then ok = false end
        if ok and opts.unique_vertices == "global" and visited[nb.to] then ok = false end
        if ok then
          local child = make(entry, nb.to, nb.edge, entry.depth + 1, entry.weight + weight_of(opts, nb.edge))
          if opts.unique_vertices == "global" then visited[nb.to] = true end
          push(child)
        end
      end
    end

    if opts.order == "bfs" then
      local queue, head, tail = { root }, 1, 1
      local function push(c) tail = tail + 1; queue[tail] = c end
      while head <= tail do
        local entry = queue[head]
        queue[head] = nil
        head = head + 1
        if visit(entry) then expand(entry, push) end
      end
    elseif opts.order == "weighted" then
      local heap = { root }
      while true do
        local entry = heap_pop(heap)
        if not entry then break end
        if visit(entry) then expand(entry, function(c) heap_push(heap, c) end) end
      end
    else
      -- depth-first: neighbours are pushed in index order, so the last one is visited first
      local stack = { root }
      while #stack > 0 do
        local entry = stack[#stack]
        stack[#stack] = nil
        if visit(entry) then expand(entry, function(c) stack[#stack + 1] = c end) end
      end
    end
    return out
  end

  return function(input)
    local list, i = nil, 0
    return function()
      while true do
        if list and i < #list then
          i = i + 1
          return list[i]
        end
        local row = input()
        if not row then return nil end
        list, i = results_for(row), 0
      end
    end
  end
end

-- Path searches ------------------------------------------------------------------------------

-- Enumerates simple paths from start to target in best-first order of weight (ties: discovery
-- order). `accept(entry)` decides whether a path reaching the target is emitted; `limit_depth`
-- bounds the path length. Returns an iterator of entries.
local function simple_paths(q, edges, opts, start, target, max_depth)
  local cache = {}
  local seq = 0
  local heap = {}
  local function make(parent, id, edge, depth, weight)
    seq = seq + 1
    return { parent = parent, id = id, vertex = fetch_vertex(q, id, cache), edge = edge, depth = depth,
      weight = weight, seq = seq, key = opts.weight_attribute and weight or depth }
  end
  heap_push(heap, make(nil, start, nil, 0, 0))
  return function()
    while true do
      local entry = heap_pop(heap)
      if not entry then return nil end
      q:tick()
      if entry.id == target and entry.depth > 0 then return entry end
      if entry.id == target and start == target then return entry end
      if entry.depth < max_depth then
        for _, nb in ipairs(neighbours(q, edges, entry.id, opts)) do
          if not on_path(entry, nb.to) then
            local w = entry.weight + weight_of(opts, nb.edge)
            heap_push(heap, make(entry, nb.to, nb.edge, entry.depth + 1, w))
          end
        end
      end
    end
  end
end

local function path_object(entry, with_weight)
  local vs, es = path_of(entry)
  local p = { vertices = vs, edges = es }
  if with_weight then p.weight = entry.weight end
  return p
end

--- FOR v, e IN DIR SHORTEST_PATH a TO b ... / FOR p IN DIR K_SHORTEST_PATHS|K_PATHS|ALL_SHORTEST_PATHS
function M.path(stmt, q)
  local raw = options_of(stmt, q)
  local opts = parse_options(raw, q)
  local from_f, to_f = compile(stmt.from, q), compile(stmt.to, q)
  local depth_f = stmt.depth and depth_fns(stmt, q)
  local kind = stmt.kind
  local v1, v2 = stmt.vars[1], stmt.vars[2]

  local function results_for(row)
    local out = {}
    local from = vertex_id(q, from_f(row), kind)
    local to = vertex_id(q, to_f(row), kind)
    if not from or not to then return out end
    local edges = edge_collections(stmt, q, row)
    local min, max = 1, math.huge
    if depth_f then min, max = depth_f(row) end
    local cache = {}
    if fetch_vertex(q, from, cache) == null or fetch_vertex(q, to, cache) == null then return out end
    if kind == "shortest_path" then
      if from == to then
        local r = copy_row(row)
        r[v1] = fetch_vertex(q, from, cache)
        if v2 then r[v2] = null end
        out[1] = r
        return out
      end
      local entry = simple_paths(q, edges, opts, from, to, math.huge)()
      if not entry then return out end
      local vs, es = path_of(entry)
      for i = 1, #vs do
        local r = copy_row(row)
        r[v1] = vs[i]
        if v2 then r[v2] = i > 1 and es[i - 1] or null end
        out[#out + 1] = r
      end
      return out
    end
    local it
    if kind == "k_paths" then
      -- all simple paths with min..max edges, shortest first
      local bfs_opts = setmetatable({ weight_attribute = false }, { __index = opts })
      it = simple_paths(q, edges, bfs_opts, from, to, max)
    else
      it = simple_paths(q, edges, opts, from, to, math.huge)
    end
    local best
    while true do
      local entry = it()
      if not entry then break end
      if kind == "all_shortest_paths" then
        if best and entry.depth > best then break end
        best = entry.depth
      end
      if entry.depth >= min and entry.depth <= max then
        local r = copy_row(row)
        r[v1] = path_object(entry, kind == "k_shortest_paths")
        out[#out + 1] = r
      end
      -- K_SHORTEST_PATHS is consumed lazily by LIMIT in ArangoDB; cap the enumeration here
      if #out >= 10000 then break end
    end
    return out
  end

  return function(input)
    local list, i = nil, 0
    return function()
      while true do
        if list and i < #list then
          i = i + 1
          return list[i]
        end
        local row = input()
        if not row then return nil end
        list, i = results_for(row), 0
      end
    end
  end
end

return M
