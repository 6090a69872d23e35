-- AST export (POST /_api/query) and execution plans (POST /_api/explain) in ArangoDB's JSON
-- shapes. The devserver executes the AST directly, so the plan is a faithful description of
-- what it does (one node per step). `rules` lists the optimizations the executor really
-- applies: "use-indexes" when a FOR over a collection is served by the primary index (a
-- FILTER on _key) or a unique persistent index (an equality FILTER on its attribute).
local parser = require "arango.devserver.aql.parser"
local V = require "arango.devserver.aql.values"

local M = {}

local null = V.null
local array_mt = V.array_mt
local function arr(t) return setmetatable(t or {}, array_mt) end

local BINARY_NAMES = {
  ["+"] = "plus", ["-"] = "minus", ["*"] = "times", ["/"] = "division", ["%"] = "modulus",
  ["=="] = "compare ==", ["!="] = "compare !=", ["<"] = "compare <", ["<="] = "compare <=",
  [">"] = "compare >", [">="] = "compare >=", ["in"] = "compare in", ["not in"] = "compare not in",
  ["like"] = "function call", ["not like"] = "function call", ["=~"] = "function call",
  ["!~"] = "function call",
}

-- Variable ids: assigned in order of first appearance, like ArangoDB's AST.
local function var_registry()
  local ids, list = {}, {}
  return function(name)
    if ids[name] == nil then
      ids[name] = #list
      list[#list + 1] = name
    end
    return ids[name]
  end, list
end

local expr_json

local function subs(nodes, vid)
  local out = {}
  for i, n in ipairs(nodes) do out[i] = expr_json(n, vid) end
  return arr(out)
end

function expr_json(n, vid)
  local t = n.type
  if t == "value" then
    local v = n.value
    if n.is_null then v = null end
    return { type = "value", value = v }
  elseif t == "bind" then
    return { type = "parameter", name = n.name }
  elseif t == "bindcol" then
    return { type = "datasource parameter", name = "@" .. n.name }
  elseif t == "collection" then
    return { type = "collection", name = n.name }
  elseif t == "ref" then
    return { type = "reference", name = n.name, id = vid(n.name), subqueryReference = false }
  elseif t == "attr" then
    return { type = "attribute access", name = n.name, subNodes = subs({ n.object }, vid) }
  elseif t == "index" then
    return { type = "indexed access", subNodes = subs({ n.object, n.index }, vid) }
  elseif t == "array" then
    return { type = "array", subNodes = subs(n.elements, vid) }
  elseif t == "object" then
    local members = {}
    for i, m in ipairs(n.members) do
      if m.key then
        members[i] = { type = "object element", name = m.key, subNodes = subs({ m.value }, vid) }
      else
        members[i] = { type = "calculated object element", subNodes = subs({ m.key_expr, m.value }, vid) }
      end
    end
    return { type = "object", subNodes = arr(members) }
  elseif t == "unary" then
    local names = { ["not"] = "unary not", ["-"] = "unary minus", ["+"] = "unary plus" }
    return { type = names[n.op], subNodes = subs({ n.operand }, vid) }
  elseif t == "and" or t == "or" then
    return { type = "logical " .. t, subNodes = subs({ n.left, n.right }, vid) }
  elseif t == "binary" then
    local name = BINARY_NAMES[n.op]
    if name == "function call" then
      local fname = (n.op == "like" or n.op == "not like") and "LIKE" or "REGEX_TEST"
      return { type = "function call", name = fname, subNodes = arr({ { type = "array",
        subNodes = subs({ n.left, n.right }, vid) } }) }
    end
    return { type = name, subNodes = subs({ n.left, n.right }, vid) }
  elseif t == "quantified" then
    return { type = "array compare " .. (n.op:gsub("^not in$", "not in")), quantifier = n.quant,
      subNodes = subs({ n.left, n.right }, vid) }
  elseif t == "range" then
    return { type = "range", subNodes = subs({ n.from, n.to }, vid) }
  elseif t == "ternary" then
    if n.other then return { type = "ternary", subNodes = subs({ n.cond, n.other }, vid) } end
    return { type = "ternary", subNodes = subs({ n.cond, n.a, n.b }, vid) }
  elseif t == "call" then
    return { type = n.name:find("::", 1, true) and "user function call" or "function call", name = n.name,
      subNodes = arr({ { type = "array", subNodes = subs(n.args, vid) } }) }
  elseif t == "subquery" then
    return { type = "subquery", subNodes = M.statements_json(n.body, vid) }
  elseif t == "expand" or t == "question" then
    local parts = { { type = "iterator", subNodes = arr({ { type = "variable", name = "CURRENT",
      id = vid("CURRENT") }, expr_json(n.object, vid) }) } }
    if n.filter then parts[#parts + 1] = expr_json(n.filter, vid) end
    if n.project then parts[#parts + 1] = expr_json(n.project, vid) end
    return { type = "expansion", levels = (n.flatten or 0) + 1, subNodes = arr(parts) }
  end
  return { type = "no-op" }
end

local function var_json(name, vid)
  return { type = "variable", name = name, id = vid(name) }
end

--- The ArangoDB-style AST of a statement list.
function M.statements_json(stmts, vid)
  local out = {}
  for _, s in ipairs(stmts) do
    local t = s.type
    local node
    if t == "for" then
      node = { type = "for", subNodes = arr({ var_json(s.vars[1], vid), expr_json(s.source, vid),
        { type = "no-op" } }) }
    elseif t == "traversal" or t == "path" then
      local sub = {}
      for _, v in ipairs(s.vars) do sub[#sub + 1] = var_json(v, vid) end
      node = { type = t == "path" and s.kind:gsub("_", " ") or "traversal", subNodes = arr(sub) }
    elseif t == "filter" then
      node = { type = "filter", subNodes = arr({ expr_json(s.expr, vid) }) }
    elseif t == "let" then
      node = { type = "let", subNodes = arr({ var_json(s.name, vid), expr_json(s.expr, vid) }) }
    elseif t == "sort" then
      local elems = {}
      for i, k in ipairs(s.keys) do
        elems[i] = { type = "sort element", subNodes = arr({ expr_json(k.expr, vid),
          { type = "value", value = k.asc } }) }
      end
      node = { type = "sort", subNodes = arr({ { type = "array", subNodes = arr(elems) } }) }
    elseif t == "limit" then
      node = { type = "limit", subNodes = arr({ s.offset and expr_json(s.offset, vid) or
        { type = "value", value = 0 }, expr_json(s.count, vid) }) }
    elseif t == "return" then
      node = { type = s.distinct and "return distinct" or "return",
        subNodes = arr({ expr_json(s.expr, vid) }) }
    elseif t == "collect" then
      local sub = {}
      for _, g in ipairs(s.groups) do
        sub[#sub + 1] = { type = "assign", subNodes = arr({ var_json(g.name, vid), expr_json(g.expr, vid) }) }
      end
      if s.count_into then
        sub[#sub + 1] = { type = "collect with count", subNodes = arr({ var_json(s.count_into, vid) }) }
      end
      node = { type = "collect", subNodes = arr(sub) }
    elseif t == "window" then
      node = { type = "window", subNodes = arr({ expr_json(s.bounds, vid) }) }
    elseif t == "with" then
      local cols = {}
      for i, c in ipairs(s.collections) do cols[i] = expr_json(c, vid) end
      node = { type = "with", subNodes = arr({ { type = "array", subNodes = arr(cols) } }) }
    else -- data modification
      local sub = {}
      for _, k in ipairs({ "key", "doc", "search", "insert", "update" }) do
        if s[k] then sub[#sub + 1] = expr_json(s[k], vid) end
      end
      sub[#sub + 1] = expr_json(s.collection, vid)
      node = { type = t, subNodes = arr(sub) }
    end
    out[#out + 1] = node
  end
  return arr(out)
end

--- POST /_api/query body: { parsed, collections, bindVars, ast }.
function M.parse_result(query)
  local ast = parser.parse(query)
  local vid = var_registry()
  local cols, binds = {}, {}
  for name in pairs(ast.collections) do cols[#cols + 1] = name end
  for name in pairs(ast.bind_names) do binds[#binds + 1] = name end
  for name in pairs(ast.bindcol_names) do binds[#binds + 1] = "@" .. name end
  table.sort(cols)
  table.sort(binds)
  return {
    parsed = true,
    collections = arr(cols),
    bindVars = arr(binds),
    ast = arr({ { type = "root", subNodes = M.statements_json(ast.body, vid) } }),
  }
end

local NODE_TYPES = { insert = "InsertNode", update = "UpdateNode", replace = "ReplaceNode",
  remove = "RemoveNode", upsert = "UpsertNode" }

--- Builds an execution plan for `query` (binds are checked like for execution).
-- @return plan table { nodes, rules, collections, variables, estimatedCost, estimatedNrItems, ... }
function M.plan(db, query, bind_vars, options)
  local aql = require "arango.devserver.aql"
  local q = aql.prepare(db, query, bind_vars, options or {})
  local ast = q.ast
  local vid, var_list = var_registry()
  local nodes = {}
  local cost, items = 1, 1
  local last
  local function add(node)
    node.id = #nodes + 1
    node.dependencies = arr(last and { last } or {})
    node.estimatedCost = cost
    node.estimatedNrItems = items
    nodes[#nodes + 1] = node
    last = node.id
    return node
  end
  local function out_var(name)
    return { id = vid(name), name = name, isFullDocumentFromCollection = false }
  end
  local tmp = 0
  local function calc(expr)
    tmp = tmp + 1
    local name = tostring(#var_list + 1000)
    local n = add({ type = "CalculationNode", expression = expr_json(expr, vid), outVariable = out_var(name),
      canThrow = false, expressionType = "simple" })
    cost = cost + items
    return n.outVariable
  end
  local collections, seen = {}, {}
  local function use_collection(name, kind)
    if seen[name] then
      if kind == "write" then seen[name].type = "write" end
      return
    end
    seen[name] = { name = name, type = kind }
    collections[#collections + 1] = seen[name]
  end
  local function coll_name(c)
    if c.type == "bindcol" then return q:bindcol_value(c.name) end
    if c.type == "bind" then return tostring(q:bind_value(c.name)) end
    return c.name
  end
  local rules, rule_seen = {}, {}
  local function rule(name)
    if not rule_seen[name] then
      rule_seen[name] = true
      rules[#rules + 1] = name
    end
  end
  -- the index the executor uses for `FOR s` followed by `next_s` (see executor.lua), or nil
  -- (the executor's own pattern checks, so the plan says what execution does)
  local function index_for(s, next_s, col)
    if not col or s.search then return nil end
    local executor = require "arango.devserver.aql.executor"
    if executor.key_lookup(s, next_s) then return col.indexes[1] end
    local attr = executor.attr_equality(s, next_s)
    if attr then return executor.lookup_index(col, attr) end
    return nil
  end
  add({ type = "SingletonNode", bindParameterVariables = {} })
  local body = ast.body
  for si, s in ipairs(body) do
    local t = s.type
    if t == "for" and (s.source.type == "collection" or s.source.type == "bindcol") then
      local name = coll_name(s.source)
      local col = db and db:collection(name)
      local n = col and col:count() or 0
      use_collection(name, "read")
      local idx = index_for(s, body[si + 1], col)
      if idx then
        rule("use-indexes")
        items = items * 1
        cost = cost + math.log(math.max(n, 2), 2) + items
        local f = body[si + 1].expr
        add({ type = "IndexNode", collection = name, outVariable = out_var(s.vars[1]),
          indexes = arr({ idx:describe(name) }), condition = expr_json(f, vid), sorted = true,
          ascending = true, reverse = false, evalFCalls = true, waitForSync = false, random = false,
          satellite = false, producesResult = true, readOwnWrites = false, projections = arr(),
          filterProjections = arr() })
      else
        items = items * math.max(n, 1)
        cost = cost + items
        add({ type = "EnumerateCollectionNode", collection = name, outVariable = out_var(s.vars[1]),
          random = false, satellite = false, producesResult = true, count = false, readOwnWrites = false,
          projections = arr(), filterProjections = arr() })
      end
    elseif t == "for" then
      local v = calc(s.source)
      items = items * 10
      cost = cost + items
      add({ type = "EnumerateListNode", inVariable = v, outVariable = out_var(s.vars[1]) })
    elseif t == "traversal" or t == "path" then
      if s.edges then
        for _, e in ipairs(s.edges) do use_collection(coll_name(e.collection), "read") end
      end
      items = items * 10
      cost = cost + items
      local types = { shortest_path = "ShortestPathNode", k_shortest_paths = "EnumeratePathsNode",
        k_paths = "EnumeratePathsNode", all_shortest_paths = "EnumeratePathsNode" }
      local n = add({ type = t == "traversal" and "TraversalNode" or types[s.kind] })
      if t == "traversal" then
        n.vertexOutVariable = out_var(s.vars[1])
        if s.vars[2] then n.edgeOutVariable = out_var(s.vars[2]) end
        if s.vars[3] then n.pathOutVariable = out_var(s.vars[3]) end
      end
    elseif t == "filter" then
      local v = calc(s.expr)
      cost = cost + items
      add({ type = "FilterNode", inVariable = v })
    elseif t == "let" then
      add({ type = "CalculationNode", expression = expr_json(s.expr, vid),
        outVariable = out_var(s.name), canThrow = false, expressionType = "simple" })
      cost = cost + items
    elseif t == "sort" then
      local elements = {}
      for i, k in ipairs(s.keys) do elements[i] = { inVariable = calc(k.expr), ascending = k.asc } end
      cost = cost + items * math.log(math.max(items, 2), 2)
      add({ type = "SortNode", elements = arr(elements), stable = false, limit = 0, strategy = "standard" })
    elseif t == "limit" then
      local ok1, off = require("arango.devserver.aql.compiler").constant_value(s.offset or
        { type = "value", value = 0 }, q)
      local ok2, cnt = require("arango.devserver.aql.compiler").constant_value(s.count, q)
      off = ok1 and tonumber(off) or 0
      cnt = ok2 and tonumber(cnt) or 0
      items = math.min(items, cnt)
      cost = cost + items
      add({ type = "LimitNode", offset = off, limit = cnt, fullCount = (options or {}).fullCount == true })
    elseif t == "collect" then
      local groups = {}
      for i, g in ipairs(s.groups) do
        groups[i] = { outVariable = out_var(g.name), inVariable = calc(g.expr) }
      end
      local aggs = {}
      for i, a in ipairs(s.aggregates or {}) do
        aggs[i] = { outVariable = out_var(a.name), type = a.expr.name }
      end
      cost = cost + items
      add({ type = "CollectNode", groups = arr(groups), aggregates = arr(aggs),
        collectOptions = { method = "sorted" }, isDistinctCommand = false, specialized = false })
    elseif t == "window" then
      add({ type = "WindowNode", aggregates = arr() })
    elseif t == "return" then
      local v = calc(s.expr)
      cost = cost + items
      add({ type = "ReturnNode", inVariable = v, count = true })
    elseif NODE_TYPES[t] then
      local name = coll_name(s.collection)
      use_collection(name, "write")
      local expr = s.doc or s.key or s.search
      local v = expr and calc(expr)
      cost = cost + items
      add({ type = NODE_TYPES[t], collection = name, inVariable = v,
        modificationFlags = { ignoreErrors = false, waitForSync = false, keepNull = true, mergeObjects = true,
          ignoreRevs = true, isRestore = false, overwriteMode = "conflict", ignoreDocumentNotFound = false,
          readCompleteInput = true, consultAqlWriteFilter = false, exclusive = false,
          refillIndexCaches = false } })
    end
  end
  local variables = {}
  for i, name in ipairs(var_list) do
    variables[i] = { id = i - 1, name = name, isFullDocumentFromCollection = false }
  end
  return {
    nodes = arr(nodes),
    rules = arr(rules),
    collections = arr(collections),
    variables = arr(variables),
    estimatedCost = cost,
    estimatedNrItems = items,
    isModificationQuery = ast.has_modification,
  }, q
end

return M
