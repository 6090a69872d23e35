-- AQL parser: recursive descent for statements, precedence climbing for expressions.
-- Produces a plain-table AST (see docs in ast node constructors below) that compiler.lua turns
-- into closures. Variables are resolved here: an identifier that is not a declared variable is a
-- collection name, as in ArangoDB.
local lexer = require "arango.devserver.aql.lexer"
local errors = require "arango.devserver.errors"

local M = {}

local Parser = {}
Parser.__index = Parser

local function new_parser(query)
  local p = setmetatable({
    query = query,
    toks = lexer.tokenize(query),
    i = 1,
    scopes = { {} },         -- stack of {name = true} for variable visibility
    bind_names = {},         -- value bind parameters used
    bindcol_names = {},      -- collection bind parameters used (without the @)
    collections = {},        -- collection names referenced literally
    modified = {},           -- collection name -> statement keyword that modified it
    modified_binds = {},     -- bind parameter names (with @ for @@c) naming modified collections
    var_counter = 0,
  }, Parser)
  return p
end

function Parser:peek(k) return self.toks[self.i + (k or 0)] end

function Parser:next()
  local t = self.toks[self.i]
  self.i = self.i + 1
  return t
end

function Parser:error_at(tok, extra)
  local msg = "syntax error, unexpected " .. lexer.describe(tok)
  if extra then msg = msg .. ", expecting " .. extra end
  lexer.syntax_error(self.query, tok.pos, msg)
end

function Parser:fail(num, message) -- luacheck: ignore 212
  errors.raise(400, num, message)
end

function Parser:is_op(v, k)
  local t = self.toks[self.i + (k or 0)]
  return t.type == "op" and t.value == v
end

function Parser:is_kw(v, k)
  local t = self.toks[self.i + (k or 0)]
  return t.type == "keyword" and t.value == v
end

-- Context keywords (OPTIONS, KEEP, COUNT, PRUNE, TO, AT, LEAST ...) are identifiers in the grammar.
function Parser:is_word(v, k)
  local t = self.toks[self.i + (k or 0)]
  return (t.type == "ident" and not t.quoted and t.value:upper() == v)
end

function Parser:accept_op(v)
  if self:is_op(v) then return self:next() end
end

function Parser:accept_kw(v)
  if self:is_kw(v) then return self:next() end
end

function Parser:expect_op(v)
  local t = self:peek()
  if t.type == "op" and t.value == v then return self:next() end
  self:error_at(t, v)
end

function Parser:expect_kw(v)
  local t = self:peek()
  if t.type == "keyword" and t.value == v then return self:next() end
  self:error_at(t)
end

function Parser:expect_ident()
  local t = self:peek()
  if t.type == "ident" then return self:next().value end
  self:error_at(t)
end

-- scope handling ---------------------------------------------------------------------------

function Parser:push_scope() self.scopes[#self.scopes + 1] = {} end
function Parser:pop_scope() self.scopes[#self.scopes] = nil end

function Parser:is_var(name)
  for i = #self.scopes, 1, -1 do
    if self.scopes[i][name] then return true end
  end
  return false
end

function Parser:declare(name, tok)
  if self:is_var(name) and name ~= "CURRENT" then
    self:fail(1511, string.format("variable '%s' is assigned multiple times (while parsing)", name))
  end
  local _ = tok
  self.scopes[#self.scopes][name] = true
end

-- expressions ------------------------------------------------------------------------------

local BINARY = {
  ["||"] = { 2, "or" }, OR = { 2, "or" },
  ["&&"] = { 3, "and" }, AND = { 3, "and" },
  ["=="] = { 4, "==" }, ["!="] = { 4, "!=" }, LIKE = { 4, "like" },
  ["=~"] = { 4, "=~" }, ["!~"] = { 4, "!~" },
  IN = { 5, "in" },
  ["<"] = { 6, "<" }, ["<="] = { 6, "<=" }, [">"] = { 6, ">" }, [">="] = { 6, ">=" },
  [".."] = { 7, "range" },
  ["+"] = { 8, "+" }, ["-"] = { 8, "-" },
  ["*"] = { 9, "*" }, ["/"] = { 9, "/" }, ["%"] = { 9, "%" },
}
local COMPARISON = { ["=="] = true, ["!="] = true, ["<"] = true, ["<="] = true, [">"] = true,
  [">="] = true, ["in"] = true, ["not in"] = true }

-- Reads the binary operator at the cursor without consuming it; returns prec, op, ntokens, quant.
function Parser:peek_binary()
  local t = self:peek()
  local quant
  local skip = 0
  if t.type == "keyword" and (t.value == "ALL" or t.value == "ANY" or t.value == "NONE") then
    local t2 = self:peek(1)
    local key = t2.type == "op" and t2.value or (t2.type == "keyword" and t2.value)
    local entry = key and BINARY[key]
    if entry and COMPARISON[entry[2]] then
      quant = t.value:lower(); skip = 1; t = t2
    elseif t2.type == "keyword" and t2.value == "NOT" and self:is_kw("IN", 2) then
      return 5, "not in", 3, t.value:lower()
    else
      return nil
    end
  elseif t.type == "ident" and not t.quoted and t.value:upper() == "AT" and self:is_word("LEAST", 1) then
    -- AT LEAST (n) <op>: handled by returning a marker; the count expression is parsed by caller
    return 4, "atleast", 0, "atleast"
  end
  if t.type == "keyword" and t.value == "NOT" then
    if self:is_kw("IN", skip + 1) then return 5, "not in", skip + 2, quant end
    if self:is_kw("LIKE", skip + 1) then return 4, "not like", skip + 2, quant end
    return nil
  end
  local key = (t.type == "op" or t.type == "keyword") and t.value
  local entry = key and BINARY[key]
  if not entry then return nil end
  if quant and not COMPARISON[entry[2]] then return nil end
  -- in "REMOVE x IN c" the IN belongs to the statement, not to the expression
  if entry[2] == "in" and self.no_in and not quant then return nil end
  return entry[1], entry[2], skip + 1, quant
end

function Parser:parse_expression()
  return self:parse_ternary()
end

function Parser:parse_ternary()
  local cond = self:parse_binary(2)
  if self:accept_op("?") then
    if self:accept_op(":") then
      local other = self:parse_ternary()
      return { type = "ternary", cond = cond, other = other }
    end
    local a = self:parse_ternary()
    self:expect_op(":")
    local b = self:parse_ternary()
    return { type = "ternary", cond = cond, a = a, b = b }
  end
  return cond
end

function Parser:parse_binary(min_prec)
  local left = self:parse_unary()
  while true do
    local prec, op, ntok, quant = self:peek_binary()
    if not prec or prec < min_prec then break end
    local count
    if op == "atleast" then
      -- AT LEAST ( expr ) <comparison>
      self:next(); self:next()
      self:expect_op("(")
      count = self:parse_expression()
      self:expect_op(")")
      local p2, op2, n2 = self:peek_binary()
      if not p2 or not COMPARISON[op2] then self:error_at(self:peek()) end
      for _ = 1, n2 do self:next() end
      op, prec, quant = op2, p2, "atleast"
    else
      for _ = 1, ntok do self:next() end
    end
    local right = self:parse_binary(prec + 1)
    if op == "range" then
      left = { type = "range", from = left, to = right }
    elseif quant then
      left = { type = "quantified", quant = quant, count = count, op = op, left = left, right = right }
    elseif op == "and" or op == "or" then
      left = { type = op, left = left, right = right }
    else
      left = { type = "binary", op = op, left = left, right = right }
    end
  end
  return left
end

function Parser:parse_unary()
  local t = self:peek()
  if t.type == "op" and (t.value == "-" or t.value == "+" or t.value == "!") then
    self:next()
    local operand = self:parse_unary()
    if t.value == "-" and operand.type == "value" and type(operand.value) == "number" then
      if operand.value == math.mininteger then return operand end
      return { type = "value", value = -operand.value }
    end
    return { type = "unary", op = t.value == "!" and "not" or t.value, operand = operand }
  end
  if t.type == "keyword" and t.value == "NOT" then
    self:next()
    return { type = "unary", op = "not", operand = self:parse_unary() }
  end
  return self:parse_postfix(self:parse_primary())
end

-- A parenthesised query may start with any statement (ArangoDB's grammar allows
-- `(FILTER cond RETURN x)` as a subquery body, not only FOR/LET).
local SUBQUERY_START = { FOR = true, LET = true, RETURN = true, INSERT = true, UPDATE = true,
  REPLACE = true, REMOVE = true, UPSERT = true, COLLECT = true, WITH = true, FILTER = true,
  SORT = true, LIMIT = true, WINDOW = true }

-- An attribute name after "." or as an object key: identifiers and keywords alike.
function Parser:attribute_name()
  local t = self:peek()
  if t.type == "ident" then self:next(); return t.value end
  if t.type == "keyword" then self:next(); return t.raw end
  return nil
end

function Parser:parse_primary()
  if self.no_in then
    self.no_in = false
    local ok, node = pcall(self.parse_primary_inner, self)
    self.no_in = true
    if not ok then error(node, 0) end
    -- postfix/brackets were parsed with IN allowed; the caller's level keeps it disabled
    return node
  end
  return self:parse_primary_inner()
end

function Parser:parse_primary_inner()
  local t = self:peek()
  if t.type == "number" or t.type == "string" then
    self:next()
    return { type = "value", value = t.value }
  end
  if t.type == "keyword" then
    if t.value == "NULL" then self:next(); return { type = "value", value = nil, is_null = true } end
    if t.value == "TRUE" then self:next(); return { type = "value", value = true } end
    if t.value == "FALSE" then self:next(); return { type = "value", value = false } end
    -- keywords that are also function names
    if (t.value == "LIKE" or t.value == "REMOVE" or t.value == "REPLACE" or t.value == "UPDATE" or
        t.value == "INSERT") and self:is_op("(", 1) then
      self:next()
      return self:parse_call(t.value, t)
    end
    self:error_at(t)
  end
  if t.type == "bind" then
    self:next()
    self.bind_names[t.value] = true
    return { type = "bind", name = t.value }
  end
  if t.type == "bindcol" then
    self:next()
    self.bindcol_names[t.value] = true
    return { type = "bindcol", name = t.value }
  end
  if t.type == "op" then
    if t.value == "(" then
      self:next()
      local nt = self:peek()
      if nt.type == "keyword" and SUBQUERY_START[nt.value] then
        self:push_scope()
        local body = self:parse_body(true)
        self:pop_scope()
        self:expect_op(")")
        return { type = "subquery", body = body }
      end
      local e = self:parse_expression()
      self:expect_op(")")
      return e
    end
    if t.value == "[" then
      self:next()
      local elems = {}
      if not self:accept_op("]") then
        repeat
          if self:is_op("]") then break end   -- trailing comma
          elems[#elems + 1] = self:parse_expression()
        until not self:accept_op(",")
        self:expect_op("]")
      end
      return { type = "array", elements = elems }
    end
    if t.value == "{" then
      return self:parse_object()
    end
    self:error_at(t)
  end
  if t.type == "ident" then
    self:next()
    -- function call, possibly namespaced (a::b::c)
    if self:is_op("::") or (self:is_op("(") and not t.quoted) then
      local name = t.value
      while self:accept_op("::") do
        local part = self:peek()
        if part.type ~= "ident" and part.type ~= "keyword" then self:error_at(part) end
        self:next()
        name = name .. "::" .. (part.raw or part.value)
      end
      return self:parse_call(name, t)
    end
    local name = t.value
    if self:is_var(name) then return { type = "ref", name = name } end
    if name == "CURRENT" and self.in_expansion and self.in_expansion > 0 then
      return { type = "ref", name = "CURRENT" }
    end
    self.collections[name] = true
    return { type = "collection", name = name, pos = t.pos }
  end
  self:error_at(t)
end

function Parser:parse_call(name, tok)
  self:expect_op("(")
  local args = {}
  if not self:accept_op(")") then
    repeat
      -- every argument may be a bare query (`PUSH(FOR x IN y RETURN x, z)`); its RETURN
      -- expression ends at the next "," or ")"
      local nt = self:peek()
      if nt.type == "keyword" and SUBQUERY_START[nt.value] and nt.value ~= "WITH" then
        self:push_scope()
        local body = self:parse_body(true, true)
        self:pop_scope()
        args[#args + 1] = { type = "subquery", body = body }
      else
        args[#args + 1] = self:parse_expression()
      end
    until not self:accept_op(",")
    self:expect_op(")")
  end
  return { type = "call", name = name:upper(), raw_name = name, args = args, pos = tok.pos }
end

function Parser:parse_object()
  self:expect_op("{")
  local members = {}
  if not self:accept_op("}") then
    repeat
      if self:is_op("}") then break end
      local t = self:peek()
      local m = {}
      if t.type == "op" and t.value == "[" then
        self:next()
        m.key_expr = self:parse_expression()
        self:expect_op("]")
        self:expect_op(":")
        m.value = self:parse_expression()
      elseif t.type == "string" or t.type == "number" then
        self:next()
        m.key = tostring(t.value)
        self:expect_op(":")
        m.value = self:parse_expression()
      elseif t.type == "bind" then
        self:next()
        self.bind_names[t.value] = true
        m.key_expr = { type = "bind", name = t.value }
        self:expect_op(":")
        m.value = self:parse_expression()
      elseif t.type == "ident" or t.type == "keyword" then
        self:next()
        local key = t.type == "keyword" and t.raw or t.value
        if self:accept_op(":") then
          m.key = key
          m.value = self:parse_expression()
        elseif t.type == "ident" then
          -- shorthand { name } means { name: name }
          m.key = key
          if self:is_var(key) then m.value = { type = "ref", name = key }
          else
            self.collections[key] = true
            m.value = { type = "collection", name = key, pos = t.pos }
          end
        else
          self:error_at(self:peek())
        end
      else
        self:error_at(t)
      end
      members[#members + 1] = m
    until not self:accept_op(",")
    self:expect_op("}")
  end
  return { type = "object", members = members }
end

-- Inline expansion body: [* FILTER cond LIMIT a, b RETURN expr]
function Parser:parse_expansion(object, stars)
  local node = { type = "expand", object = object, flatten = stars - 1 }
  self.in_expansion = (self.in_expansion or 0) + 1
  self:push_scope()
  self.scopes[#self.scopes].CURRENT = true
  while true do
    if self:accept_kw("FILTER") then
      node.filter = self:parse_expression()
    elseif self:accept_kw("LIMIT") then
      local a = self:parse_expression()
      if self:accept_op(",") then node.offset = a; node.limit = self:parse_expression()
      else node.limit = a end
    elseif self:accept_kw("RETURN") then
      node.project = self:parse_expression()
    else
      break
    end
  end
  self:expect_op("]")
  -- Postfix access after [*] applies to each element (projection continues on CURRENT).
  local cur = { type = "ref", name = "CURRENT" }
  local chain = self:parse_postfix(cur, true)
  if chain ~= cur then node.tail = chain end
  self:pop_scope()
  self.in_expansion = self.in_expansion - 1
  return node
end

-- Array quantifier (3.12): expr[? FILTER cond], expr[? 2 FILTER ...], [? ALL FILTER ...], [? 1..3 FILTER]
function Parser:parse_question(object)
  local node = { type = "question", object = object, quant = "any" }
  if self:accept_kw("ALL") then node.quant = "all"
  elseif self:accept_kw("ANY") then node.quant = "any"
  elseif self:accept_kw("NONE") then node.quant = "none"
  elseif self:is_word("AT") then
    self:next(); self:next()
    self:expect_op("(")
    node.quant = "atleast"; node.min = self:parse_expression()
    self:expect_op(")")
  elseif not self:is_kw("FILTER") and not self:is_op("]") then
    local e = self:parse_binary(7)
    if e.type == "range" then node.quant = "range"; node.min = e.from; node.max = e.to
    else node.quant = "exact"; node.min = e end
  end
  self.in_expansion = (self.in_expansion or 0) + 1
  self:push_scope()
  self.scopes[#self.scopes].CURRENT = true
  if self:accept_kw("FILTER") then node.filter = self:parse_expression() end
  self:pop_scope()
  self.in_expansion = self.in_expansion - 1
  self:expect_op("]")
  return node
end

function Parser:parse_postfix(node, in_tail)
  while true do
    local t = self:peek()
    if t.type ~= "op" then break end
    if t.value == "." then
      self:next()
      local nt = self:peek()
      if nt.type == "bind" then
        self:next()
        self.bind_names[nt.value] = true
        node = { type = "index", object = node, index = { type = "bind", name = nt.value }, attr_bind = true }
      else
        local name = self:attribute_name()
        if not name then self:error_at(self:peek()) end
        node = { type = "attr", object = node, name = name }
      end
    elseif t.value == "[*" or t.value == "[**" then
      self:next()
      local stars = t.value == "[*" and 1 or 2
      while self:is_op("*") do self:next(); stars = stars + 1 end
      return self:parse_expansion(node, stars)
    elseif t.value == "[" then
      if self:is_op("?", 1) then
        self:next(); self:next()
        node = self:parse_question(node)
      else
        self:next()
        local idx = self:parse_expression()
        self:expect_op("]")
        node = { type = "index", object = node, index = idx }
      end
    else
      break
    end
  end
  local _ = in_tail
  return node
end

-- statements -------------------------------------------------------------------------------

-- Collection operand of a data-modification statement or a traversal edge list.
function Parser:parse_collection_name()
  local t = self:peek()
  if t.type == "ident" then
    self:next()
    self.collections[t.value] = true
    return { type = "collection", name = t.value, pos = t.pos }
  elseif t.type == "string" then
    self:next()
    self.collections[t.value] = true
    return { type = "collection", name = t.value, pos = t.pos }
  elseif t.type == "bindcol" then
    self:next()
    self.bindcol_names[t.value] = true
    return { type = "bindcol", name = t.value }
  elseif t.type == "bind" then
    -- ArangoDB accepts a value bind parameter holding a collection name here too
    self:next()
    self.bind_names[t.value] = true
    return { type = "bind", name = t.value, as_collection = true }
  end
  self:error_at(t)
end

function Parser:parse_options()
  if self:is_word("OPTIONS") then
    self:next()
    local t = self:peek()
    if not (t.type == "op" and t.value == "{") and t.type ~= "bind" then self:error_at(t) end
    return self:parse_primary()
  end
end

local DIRECTIONS = { OUTBOUND = "outbound", INBOUND = "inbound", ANY = "any" }

function Parser:peek_direction(k)
  local t = self:peek(k)
  if t.type == "keyword" and DIRECTIONS[t.value] then return DIRECTIONS[t.value] end
end

function Parser:parse_edge_list(stmt)
  if self:accept_kw("GRAPH") then
    stmt.graph = self:parse_unary()
    return
  end
  local edges = {}
  repeat
    local dir = self:peek_direction()
    if dir then self:next() end
    local c = self:parse_collection_name()
    edges[#edges + 1] = { collection = c, direction = dir }
  until not self:accept_op(",")
  stmt.edges = edges
end

-- Destructuring target (3.12): [a, , b] or {a, b: c, d: [e]}; returns {kind, ...}.
function Parser:parse_pattern(names)
  if self:accept_op("[") then
    local items = {}
    local n = 0
    while not self:is_op("]") do
      n = n + 1
      if self:is_op(",") then
        items[n] = false
      else
        items[n] = self:parse_pattern(names)
      end
      if not self:accept_op(",") then break end
    end
    self:expect_op("]")
    return { kind = "array", items = items, n = n }
  elseif self:accept_op("{") then
    local members = {}
    while not self:is_op("}") do
      local t = self:peek()
      if t.type ~= "ident" and t.type ~= "string" then self:error_at(t) end
      self:next()
      local key = t.value
      local target
      if self:accept_op(":") then target = self:parse_pattern(names)
      else
        target = { kind = "var", name = key }
        names[#names + 1] = key
      end
      members[#members + 1] = { key = key, target = target }
      if not self:accept_op(",") then break end
    end
    self:expect_op("}")
    return { kind = "object", members = members }
  end
  local name = self:expect_ident()
  names[#names + 1] = name
  return { kind = "var", name = name }
end

function Parser:tmp_var()
  self.var_counter = self.var_counter + 1
  return "#destructure" .. self.var_counter
end

function Parser:parse_for()
  if self:is_op("[") or self:is_op("{") then
    local names = {}
    local pattern = self:parse_pattern(names)
    self:expect_kw("IN")
    local tmp = self:tmp_var()
    local source = self:parse_expression()
    for _, n in ipairs(names) do self:declare(n) end
    return { type = "for", vars = { tmp }, source = source, pattern = pattern,
      options = self:parse_options() }
  end
  local vars = { self:expect_ident() }
  while self:accept_op(",") do vars[#vars + 1] = self:expect_ident() end
  self:expect_kw("IN")
  local stmt = { vars = vars }
  local PATHS = { SHORTEST_PATH = "shortest_path", K_SHORTEST_PATHS = "k_shortest_paths",
    K_PATHS = "k_paths", ALL_SHORTEST_PATHS = "all_shortest_paths" }
  local depth
  if not self:peek_direction() then
    depth = self:parse_expression()
  end
  local dir = self:peek_direction()
  if dir and (depth or true) then
    -- graph traversal or path search
    self:next()
    local t = self:peek()
    if t.type == "keyword" and PATHS[t.value] then
      self:next()
      stmt.type = "path"
      stmt.kind = PATHS[t.value]
      stmt.direction = dir
      stmt.depth = depth
      stmt.from = self:parse_binary(2)
      local to = self:peek()
      if not (to.type == "ident" and to.value:upper() == "TO") then self:error_at(to) end
      self:next()
      stmt.to = self:parse_binary(2)
      self:parse_edge_list(stmt)
      stmt.options = self:parse_options()
      local limits = { shortest_path = 2, k_shortest_paths = 1, k_paths = 1, all_shortest_paths = 1 }
      if #vars > limits[stmt.kind] then self:error_at(self:peek()) end
      for _, v in ipairs(vars) do self:declare(v) end
      return stmt
    end
    stmt.type = "traversal"
    stmt.direction = dir
    stmt.depth = depth
    stmt.start = self:parse_binary(2)
    self:parse_edge_list(stmt)
    if #vars > 3 then self:error_at(self:peek()) end
    for _, v in ipairs(vars) do self:declare(v) end
    if self:is_word("PRUNE") then
      self:next()
      if self:peek().type == "ident" and self:is_op("=", 1) then
        local pv = self:expect_ident()
        self:next()
        stmt.prune_var = pv
        stmt.prune = self:parse_expression()
        self:declare(pv)
      else
        stmt.prune = self:parse_expression()
      end
    end
    stmt.options = self:parse_options()
    return stmt
  end
  stmt.type = "for"
  stmt.source = depth
  if depth.type == "collection" and self.modified[depth.name] then
    self:fail(1579, string.format("access after data-modification by %s (while parsing)",
      self.modified[depth.name]))
  end
  if #vars > 1 then self:error_at(self:peek()) end
  -- SEARCH is contextual: only here, right after FOR ... IN <expression>, is it the keyword.
  if self:is_word("SEARCH") then
    self:next()
    stmt.search = "pending"
    self:declare(vars[1])
    stmt.search = self:parse_expression()
  else
    self:declare(vars[1])
  end
  stmt.options = self:parse_options()
  return stmt
end

function Parser:parse_sort()
  local keys = {}
  repeat
    local e = self:parse_expression()
    local asc = true
    if self:accept_kw("ASC") then asc = true
    elseif self:accept_kw("DESC") then asc = false end
    keys[#keys + 1] = { expr = e, asc = asc }
  until not self:accept_op(",")
  return { type = "sort", keys = keys }
end

function Parser:parse_limit()
  local a = self:parse_expression()
  if self:accept_op(",") then
    return { type = "limit", offset = a, count = self:parse_expression() }
  end
  return { type = "limit", count = a }
end

function Parser:parse_aggregate_list()
  local aggs = {}
  repeat
    local name = self:expect_ident()
    self:expect_op("=")
    local e = self:parse_expression()
    if e.type ~= "call" then self:fail(1574, "invalid aggregate expression (while parsing)") end
    aggs[#aggs + 1] = { name = name, expr = e }
  until not self:accept_op(",")
  return aggs
end

function Parser:parse_collect()
  local stmt = { type = "collect", groups = {} }
  local declared = {}
  -- grouping assignments
  if self:peek().type == "ident" and self:is_op("=", 1) then
    repeat
      local name = self:expect_ident()
      self:expect_op("=")
      stmt.groups[#stmt.groups + 1] = { name = name, expr = self:parse_expression() }
      declared[#declared + 1] = name
    until not self:accept_op(",")
  end
  if self:accept_kw("AGGREGATE") then
    stmt.aggregates = self:parse_aggregate_list()
    for _, a in ipairs(stmt.aggregates) do declared[#declared + 1] = a.name end
  end
  if self:accept_kw("INTO") then
    local name = self:expect_ident()
    stmt.into = { name = name }
    if self:accept_op("=") then stmt.into.expr = self:parse_expression() end
    declared[#declared + 1] = name
    if self:is_word("KEEP") then
      self:next()
      stmt.keep = {}
      repeat
        local v = self:expect_ident()
        if not self:is_var(v) then
          self:fail(1512, string.format("unknown variable '%s' (while parsing)", v))
        end
        stmt.keep[#stmt.keep + 1] = v
      until not self:accept_op(",")
    end
  end
  if self:is_kw("WITH") and self:is_word("COUNT", 1) then
    self:next(); self:next()
    self:expect_kw("INTO")
    stmt.count_into = self:expect_ident()
    declared[#declared + 1] = stmt.count_into
  end
  stmt.options = self:parse_options()
  if #stmt.groups == 0 and not stmt.aggregates and not stmt.count_into and not stmt.into then
    self:error_at(self:peek())
  end
  -- Variables of the current level before COLLECT become invisible (outer scopes stay).
  stmt.hidden = {}
  local top = self.scopes[#self.scopes]
  for name in pairs(top) do stmt.hidden[#stmt.hidden + 1] = name end
  stmt.visible_before = stmt.hidden
  self.scopes[#self.scopes] = {}
  for _, name in ipairs(declared) do self:declare(name) end
  return stmt
end

function Parser:parse_window()
  local stmt = { type = "window" }
  local first = self:parse_expression()
  if self:accept_kw("WITH") then
    stmt.range_expr = first
    stmt.bounds = self:parse_expression()
  else
    stmt.bounds = first
  end
  self:expect_kw("AGGREGATE")
  stmt.aggregates = self:parse_aggregate_list()
  for _, a in ipairs(stmt.aggregates) do self:declare(a.name) end
  return stmt
end

function Parser:note_modified(coll, keyword)
  if coll.type == "bindcol" then
    self.modified_binds[#self.modified_binds + 1] = "@" .. coll.name
  elseif coll.type == "bind" then
    self.modified_binds[#self.modified_binds + 1] = coll.name
  end
  if coll.type == "collection" then
    if self.modified[coll.name] then
      self:fail(1579, string.format("access after data-modification by %s (while parsing)",
        self.modified[coll.name]))
    end
    self.modified[coll.name] = keyword
  end
  self.has_modification = true
end

-- INTO/IN collection [OPTIONS {...}]
function Parser:parse_into(stmt, keyword)
  if not (self:accept_kw("INTO") or self:accept_kw("IN")) then self:error_at(self:peek()) end
  stmt.collection = self:parse_collection_name()
  stmt.options = self:parse_options()
  self:note_modified(stmt.collection, keyword)
  -- NEW and OLD are pseudo-variables: several modifications (of different collections) may
  -- each bind them, so they are not declared through declare().
  self.scopes[#self.scopes].NEW = true
  self.scopes[#self.scopes].OLD = true
  return stmt
end

function Parser:parse_modification(kw)
  if kw == "INSERT" then
    local stmt = { type = "insert", doc = self:parse_expression() }
    return self:parse_into(stmt, kw)
  elseif kw == "UPDATE" or kw == "REPLACE" then
    local stmt = { type = kw:lower() }
    local first = self:parse_expression()
    if self:accept_kw("WITH") then
      stmt.key = first
      stmt.doc = self:parse_expression()
    else
      stmt.doc = first
    end
    return self:parse_into(stmt, kw)
  elseif kw == "REMOVE" then
    local stmt = { type = "remove", key = self:parse_expression() }
    return self:parse_into(stmt, kw)
  elseif kw == "UPSERT" then
    local stmt = { type = "upsert" }
    if self:accept_kw("FILTER") then
      self:push_scope()
      self.scopes[#self.scopes].CURRENT = true
      self.in_expansion = (self.in_expansion or 0) + 1
      stmt.filter = self:parse_expression()
      self.in_expansion = self.in_expansion - 1
      self:pop_scope()
    else
      stmt.search = self:parse_expression()
    end
    self:expect_kw("INSERT")
    stmt.insert = self:parse_expression()
    local t = self:next()
    if not (t.type == "keyword" and (t.value == "UPDATE" or t.value == "REPLACE")) then self:error_at(t) end
    stmt.mode = t.value:lower()
    self:push_scope()
    self.scopes[#self.scopes].OLD = true
    stmt.update = self:parse_expression()
    self:pop_scope()
    return self:parse_into(stmt, kw)
  end
end

-- Parses statements until RETURN (or end / ")" for subqueries). Returns the statement list.
function Parser:parse_body(is_subquery, in_args)
  local stmts = {}
  if not is_subquery then
    -- WITH col1, col2 ... at the very beginning
    if self:is_kw("WITH") then
      self:next()
      local cols = {}
      repeat cols[#cols + 1] = self:parse_collection_name() until not self:accept_op(",")
      stmts[#stmts + 1] = { type = "with", collections = cols }
    end
  end
  local finished = false
  local last_mod
  while true do
    local t = self:peek()
    if t.type == "eof" or (t.type == "op" and t.value == ")") then break end
    if finished and in_args and t.type == "op" and t.value == "," then break end
    if finished then self:error_at(t) end
    if t.type ~= "keyword" then self:error_at(t) end
    self:next()
    local kw = t.value
    local stmt
    if kw == "FOR" then
      stmt = self:parse_for()
    elseif kw == "FILTER" then
      stmt = { type = "filter", expr = self:parse_expression() }
    elseif kw == "LET" and (self:is_op("[") or self:is_op("{")) then
      local names = {}
      local pattern = self:parse_pattern(names)
      self:expect_op("=")
      local e = self:parse_expression()
      for _, n in ipairs(names) do self:declare(n) end
      stmt = { type = "let", name = self:tmp_var(), expr = e, pattern = pattern }
    elseif kw == "LET" then
      local name = self:expect_ident()
      self:expect_op("=")
      local e = self:parse_expression()
      self:declare(name)
      stmt = { type = "let", name = name, expr = e }
    elseif kw == "SORT" then
      stmt = self:parse_sort()
    elseif kw == "LIMIT" then
      stmt = self:parse_limit()
    elseif kw == "COLLECT" then
      stmt = self:parse_collect()
    elseif kw == "WINDOW" then
      stmt = self:parse_window()
    elseif kw == "RETURN" then
      local distinct = self:accept_kw("DISTINCT") and true or false
      stmt = { type = "return", expr = self:parse_expression(), distinct = distinct }
      finished = true
    elseif kw == "INSERT" or kw == "UPDATE" or kw == "REPLACE" or kw == "REMOVE" or kw == "UPSERT" then
      self.no_in = true
      stmt = self:parse_modification(kw)
      self.no_in = false
      last_mod = kw
    else
      self:error_at(t)
    end
    stmt.pos = t.pos
    stmts[#stmts + 1] = stmt
  end
  if #stmts == 0 or (not finished and not last_mod) then
    self:error_at(self:peek())
  end
  return stmts
end

--- Parses an AQL query string. Returns the AST:
-- { body = statements, bind_names = {name=true}, bindcol_names = {name=true},
--   collections = {name=true}, has_modification = bool }
function M.parse(query)
  if type(query) ~= "string" or query:match("^%s*$") then
    errors.raise(400, 1502, "query is empty")
  end
  local p = new_parser(query)
  local body = p:parse_body(false)
  local t = p:peek()
  if t.type ~= "eof" then p:error_at(t) end
  return {
    body = body,
    bind_names = p.bind_names,
    bindcol_names = p.bindcol_names,
    collections = p.collections,
    modified = p.modified,
    modified_binds = p.modified_binds,
    has_modification = p.has_modification or false,
    query = query,
  }
end

return M
