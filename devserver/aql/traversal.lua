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
          -- a vertex with a huge fan-out must still notice a kill or maxRuntime
          q:tick()
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

-- Walks a parent-pointer chain (path entries, search steps): has any link `field` == `value`?
local function on_chain(link, field, value)
  local e = link
  while e do
    if e[field] == value then return true end
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
        if opts.unique_edges == "path" and on_chain(entry, "edge", nb.edge) then ok = false end
        if ok and opts.unique_vertices == "path" and on_chain(entry, "id", nb.to) then ok = false end
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
--
-- Unweighted path searches follow ArangoDB's two-sided breadth-first enumerator, because the
-- order of equally long paths is observable (K_PATHS returns every path, LIMIT picks some):
-- * two balls grow from source (forward) and target (backward) one depth at a time; the ball
--   with the smaller shell grows next (left on a tie);
-- * a ball's shell is ordered by vertex id (byte order, equal ids in insertion order) and
--   becomes the FIFO queue of the next depth;
-- * every step a ball makes is matched against the other ball's shell; the matches found
--   while expanding one vertex are handed out last-found-first.
-- Vertex uniqueness is per path (K_PATHS, ALL_SHORTEST_PATHS) or global per ball (the single
-- shortest path searches used by SHORTEST_PATH and by Yen's algorithm; the start vertex is not
-- marked, as in ArangoDB). Weighted searches use Dijkstra (ties in discovery order).

local REVERSE = { outbound = "inbound", inbound = "outbound", any = "any" }

local function reversed(edges)
  local out = {}
  for i, ec in ipairs(edges) do out[i] = { name = ec.name, direction = REVERSE[ec.direction] } end
  return out
end

local function new_ball(center, edges)
  return { shell = { { id = center, depth = 0, seq = 0 } }, queue = {}, qhead = 1, depth = 0,
    edges = edges, visited = {} }
end

local function shell_order(a, b)
  if a.id ~= b.id then return a.id < b.id end
  return a.seq < b.seq
end

local function ball_next_depth(ball)
  table.sort(ball.shell, shell_order)
  ball.queue, ball.qhead = ball.shell, 1
  ball.shell = {}
  ball.depth = ball.depth + 1
end

local function ball_done_with_depth(ball) return ball.qhead > #ball.queue end
local function ball_no_path_left(ball) return ball.qhead > #ball.queue and #ball.shell == 0 end

--- Two-sided breadth-first path enumerator from `source` to `target`.
-- cfg: min, max (path lengths), global (vertex uniqueness per ball instead of per path),
-- one_path (stop after the first path), stop_at_first_depth (all paths of the first length
-- found), forbidden_vertices / forbidden_edges (sets keyed by id / edge document).
-- Returns an iterator of { ids = {...}, edges = {...} } (edges as documents).
local function two_sided(q, edges, opts, source, target, cfg)
  local left = new_ball(source, edges)
  local right = new_ball(target, reversed(edges))
  left.forward, right.forward = true, false
  local results = {}
  local search_left = true
  local finished = false
  local baseline = cfg.max
  local seq = 0
  local fv, fe = cfg.forbidden_vertices, cfg.forbidden_edges

  -- PATH uniqueness: n's path must not repeat a vertex; GLOBAL: first visit per ball wins.
  local function validate(ball, n)
    if fv and fv[n.id] then return false end
    if fe and fe[n.edge] then return false end
    if cfg.global then
      if ball.visited[n.id] then return false end
      ball.visited[n.id] = true
      return true
    end
    return not on_chain(n.parent, "id", n.id)
  end

  -- Can shell step `s` (of the other ball) be joined with the new step `n` at their common vertex?
  local function joinable(s, n)
    if cfg.global then return true end
    local p = s.parent
    while p do
      if on_chain(n, "id", p.id) then return false end
      p = p.parent
    end
    return true
  end

  local function match(other, n, out)
    for _, s in ipairs(other.shell) do
      if s.id == n.id and joinable(s, n) then
        if other.forward then out[#out + 1] = { s, n } else out[#out + 1] = { n, s } end
      end
    end
  end

  local function expand(ball, other)
    local step = ball.queue[ball.qhead]
    ball.queue[ball.qhead] = false
    ball.qhead = ball.qhead + 1
    q:tick()
    for _, nb in ipairs(neighbours(q, ball.edges, step.id, opts)) do
      seq = seq + 1
      local n = { id = nb.to, edge = nb.edge, parent = step, depth = step.depth + 1, seq = seq }
      if validate(ball, n) then
        if ball.depth + other.depth >= cfg.min then match(other, n, results) end
        ball.shell[#ball.shell + 1] = n
      end
    end
  end

  local function search_done()
    return finished or ball_no_path_left(left) or ball_no_path_left(right)
      or left.depth + right.depth > baseline
  end

  local function start_next_depth()
    if #right.shell < #left.shell then
      search_left = false
      ball_next_depth(right)
    else
      search_left = true
      ball_next_depth(left)
    end
  end

  local function search_more()
    while #results == 0 and not search_done() do
      if search_left then
        if ball_done_with_depth(left) then start_next_depth() else expand(left, right) end
      elseif ball_done_with_depth(right) then start_next_depth()
      else expand(right, left) end
    end
    if cfg.stop_at_first_depth and left.depth + right.depth < baseline then
      baseline = left.depth + right.depth
    end
  end

  if cfg.min == 0 and source == target then results[1] = { left.shell[1], right.shell[1] } end

  return function()
    while not ((#results == 0 and search_done()) or finished) do
      search_more()
      local r = table.remove(results)
      if r then
        if cfg.one_path then finished = true end
        local ids, es = {}, {}
        local chain = {}
        local s = r[1]
        while s do chain[#chain + 1] = s; s = s.parent end
        for i = #chain, 1, -1 do
          ids[#ids + 1] = chain[i].id
          if chain[i].edge then es[#es + 1] = chain[i].edge end
        end
        s = r[2]
        while s.parent do
          es[#es + 1] = s.edge
          s = s.parent
          ids[#ids + 1] = s.id
        end
        return { ids = ids, edges = es }
      end
    end
    return nil
  end
end

-- Dijkstra from source to target avoiding forbidden vertices/edges; ties in discovery order.
local function dijkstra(q, edges, opts, source, target, cfg)
  local fv, fe = cfg.forbidden_vertices, cfg.forbidden_edges
  local heap, seq, done = {}, 0, {}
  heap_push(heap, { id = source, weight = 0, key = 0, seq = 0, depth = 0 })
  while true do
    local entry = heap_pop(heap)
    if not entry then return nil end
    if not done[entry.id] then
      done[entry.id] = true
      q:tick()
      if entry.id == target then
        local ids, es, ws = {}, {}, {}
        local chain = {}
        local s = entry
        while s do chain[#chain + 1] = s; s = s.parent end
        for i = #chain, 1, -1 do
          ids[#ids + 1] = chain[i].id
          if chain[i].edge then
            es[#es + 1] = chain[i].edge
            ws[#ws + 1] = chain[i].weight - chain[i].parent.weight
          end
        end
        return { ids = ids, edges = es, weights = ws }
      end
      for _, nb in ipairs(neighbours(q, edges, entry.id, opts)) do
        if not done[nb.to] and not (fv and fv[nb.to]) and not (fe and fe[nb.edge]) then
          seq = seq + 1
          local w = entry.weight + weight_of(opts, nb.edge)
          heap_push(heap, { id = nb.to, edge = nb.edge, parent = entry, weight = w, key = w, seq = seq,
            depth = entry.depth + 1 })
        end
      end
    end
  end
end

-- Edge order of Yen's candidate tie-break: ArangoDB compares edge document ids, which grow with
-- each write; the revision carries that clock here.
local rev = require "arango.devserver.store.rev"
local function edge_ord(e)
  local v = rev.decode(e._rev)
  if v then return v end
  return 0
end

local function path_weight(opts, p)
  if not opts.weight_attribute then return #p.edges end
  local w = 0
  for _, e in ipairs(p.edges) do w = w + weight_of(opts, e) end
  return w
end

-- Is candidate a better than b? Lower weight; then (as ArangoDB's candidate list orders them)
-- more edges; then the greater edge id sequence.
local function better(a, b)
  if a.weight ~= b.weight then return a.weight < b.weight end
  if #a.edges ~= #b.edges then return #a.edges > #b.edges end
  for i = 1, #a.edges do
    local x, y = edge_ord(a.edges[i]), edge_ord(b.edges[i])
    if x ~= y then return math.ult(y, x) end
    if a.edges[i] ~= b.edges[i] then return (a.edges[i]._id or "") > (b.edges[i]._id or "") end
  end
  return false
end

local function same_path(a, b)
  if #a.edges ~= #b.edges then return false end
  for i = 1, #a.edges do if a.edges[i] ~= b.edges[i] then return false end end
  return true
end

--- Yen's k shortest paths (Lawler's variant: spur only from the previous branch point on).
local function yen(q, edges, opts, source, target)
  local shortest = function(from, fv, fe)
    local cfg = { forbidden_vertices = fv, forbidden_edges = fe, min = 0, max = math.huge }
    if opts.weight_attribute then return dijkstra(q, edges, opts, from, target, cfg) end
    cfg.global, cfg.one_path = true, true
    return two_sided(q, edges, opts, from, target, cfg)()
  end
  local found, candidates = {}, {}
  local done = false
  return function()
    if done then return nil end
    if #found == 0 then
      local p = shortest(source)
      if not p then done = true; return nil end
      p.branch = 1
      p.weight = path_weight(opts, p)
      found[1] = p
      return p
    end
    local prev = found[#found]
    for i = prev.branch, #prev.edges do
      -- spur at vertex i: the prefix's vertices and already used continuations are taboo
      local fv, fe = {}, {}
      for j = 1, i - 1 do fv[prev.ids[j]] = true end
      fe[prev.edges[i]] = true
      for k = 1, #found - 1 do
        local other = found[k]
        if #other.edges >= i then
          local same = true
          for j = 1, i - 1 do
            if other.edges[j] ~= prev.edges[j] then same = false; break end
          end
          if same then fe[other.edges[i]] = true end
        end
      end
      local spur = shortest(prev.ids[i], fv, fe)
      if spur then
        local ids, es = {}, {}
        for j = 1, i - 1 do ids[j] = prev.ids[j]; es[j] = prev.edges[j] end
        for _, id in ipairs(spur.ids) do ids[#ids + 1] = id end
        for _, e in ipairs(spur.edges) do es[#es + 1] = e end
        local cand = { ids = ids, edges = es, branch = i }
        cand.weight = path_weight(opts, cand)
        local dup = false
        for _, c in ipairs(candidates) do if same_path(c, cand) then dup = true; break end end
        if not dup then candidates[#candidates + 1] = cand end
      end
    end
    if #candidates == 0 then done = true; return nil end
    local bi = 1
    for i = 2, #candidates do if better(candidates[i], candidates[bi]) then bi = i end end
    local best = table.remove(candidates, bi)
    found[#found + 1] = best
    return best
  end
end

local function path_object(q, cache, p, with_weight)
  local vs = {}
  for i, id in ipairs(p.ids) do vs[i] = fetch_vertex(q, id, cache) end
  local es = {}
  for i, e in ipairs(p.edges) do es[i] = e end
  local obj = { vertices = arr(vs), edges = arr(es) }
  if with_weight then obj.weight = p.weight end
  return obj
end

--- FOR v, e IN DIR SHORTEST_PATH a TO b ... / FOR p IN DIR K_SHORTEST_PATHS|K_PATHS|ALL_SHORTEST_PATHS
function M.path(stmt, q)
  local raw = options_of(stmt, q)
  local opts = parse_options(raw, q)
  local from_f, to_f = compile(stmt.from, q), compile(stmt.to, q)
  local depth_f = stmt.depth and depth_fns(stmt, q)
  local kind = stmt.kind
  local v1, v2 = stmt.vars[1], stmt.vars[2]
  local function none() return nil end

  -- iterator of result rows for one input row
  local function results_for(row)
    local from = vertex_id(q, from_f(row), kind)
    local to = vertex_id(q, to_f(row), kind)
    if not from or not to then return none end
    local edges = edge_collections(stmt, q, row)
    local min, max = 1, math.huge
    if depth_f then min, max = depth_f(row) end
    local cache = {}
    if fetch_vertex(q, from, cache) == null or fetch_vertex(q, to, cache) == null then return none end
    if kind == "shortest_path" then
      local p
      if opts.weight_attribute then
        p = dijkstra(q, edges, opts, from, to, {})
      else
        p = two_sided(q, edges, opts, from, to,
          { min = 0, max = math.huge, global = true, one_path = true })()
      end
      if not p then return none end
      local i = 0
      return function()
        i = i + 1
        if i > #p.ids then return nil end
        local r = copy_row(row)
        r[v1] = fetch_vertex(q, p.ids[i], cache)
        if v2 then r[v2] = i > 1 and p.edges[i - 1] or null end
        return r
      end
    end
    local it
    if kind == "k_paths" then
      it = two_sided(q, edges, opts, from, to, { min = min, max = max })
    elseif kind == "all_shortest_paths" then
      it = two_sided(q, edges, opts, from, to, { min = 0, max = math.huge, stop_at_first_depth = true })
    else
      it = yen(q, edges, opts, from, to)
    end
    return function()
      while true do
        local p = it()
        if not p then return nil end
        if kind ~= "k_shortest_paths" or (#p.edges >= min and #p.edges <= max) then
          local r = copy_row(row)
          r[v1] = path_object(q, cache, p, kind == "k_shortest_paths")
          return r
        end
      end
    end
  end

  return function(input)
    local cur
    return function()
      while true do
        if cur then
          local r = cur()
          if r then return r end
          cur = nil
        end
        local row = input()
        if not row then return nil end
        cur = results_for(row)
      end
    end
  end
end

return M
