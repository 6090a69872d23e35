-- luacheck: no max line length
-- Property test of the AQL engine: every query, valid or broken, ends in a result or in a
-- devserver error object (status + errorNum from errors.json, a clean message), never in a raw
-- Lua error; a failed write query leaves the collections as they were (one transaction).
--
-- Deterministic: queries come from grammar fragments driven by a fixed-seed PRNG and a bounded
-- case count, so a failure reproduces exactly. FUZZ_SEED / FUZZ_CASES override both when
-- hunting for new bugs (the spec's defaults are what CI runs).
local aql = require "arango.devserver.aql"
local store_mod = require "arango.devserver.store"
local functions = require "arango.devserver.aql.functions"
local errors = require "arango.devserver.errors"
local errors_data = require "arango.devserver.errors_data"
local json = require "arango.json"

local null = json.null

local SHARED = os.getenv("ARANGO_SHARED") or "../shared"
local SEED = tonumber(os.getenv("FUZZ_SEED") or "") or 20240611
local CASES = tonumber(os.getenv("FUZZ_CASES") or "") or 3000
local HTTP_CASES = tonumber(os.getenv("FUZZ_HTTP_CASES") or "") or 200


-- Deterministic PRNG (xorshift64*), independent of math.random's state --------------------

local function new_rng(seed)
  local s = seed ~ 0x9E3779B97F4A7C15
  if s == 0 then s = 1 end
  local r = {}
  function r.next()
    s = s ~ (s >> 12)
    s = s ~ (s << 25)
    s = s ~ (s >> 27)
    return (s * 0x2545F4914F6CDD1D) >> 11 -- 53 non-negative bits
  end
  --- Integer in [lo, hi].
  function r.int(lo, hi) return lo + r.next() % (hi - lo + 1) end
  function r.chance(p) return r.next() % 1000 < p * 1000 end
  function r.pick(t) return t[r.int(1, #t)] end
  return r
end

-- Function names: the registry's plus the documented catalogue's (some may be unknown) ----

local function function_names()
  local seen, out = {}, {}
  local function add(n)
    -- SLEEP would make the run slow, not more thorough
    if not seen[n] and n ~= "SLEEP" then seen[n] = true; out[#out + 1] = n end
  end
  for _, n in ipairs(functions.names()) do add(n) end
  local f = io.open(SHARED .. "/arangodb/aql/functions.jsonl")
  if f then
    for line in f:lines() do
      local ok, e = pcall(json.decode, line)
      if ok and type(e) == "table" and type(e.name) == "string" then add(e.name) end
    end
    f:close()
  end
  table.sort(out)
  return out
end

local FUNCS = function_names()

-- Query generator: produces token lists (so truncations fall on token boundaries) ---------

local INTS = { "0", "1", "-1", "2", "3", "42", "007", "9007199254740993", "9223372036854775807",
  "9223372036854775808", "-9223372036854775808", "0x1F", "0b101", "0xFFFFFFFFFFFFFFFFFF" }
local FLOATS = { "1.5", ".5", "0.0", "-0.0", "1e308", "1e309", "1e-320", "5e-324", "2.5E+3",
  "1.7976931348623157e308", "123456789012345678901234567890.5", "1e-400", "3.14159" }
local STRINGS = { '"abc"', "'x'", '""', '"ü中😀"', '"line\\nbreak\\t\\"q\\""', "'\\u00e9\\u0000'",
  '"\\uD83D\\uDE00"', '"%_\\\\"', '"c/1"', '"c/999"', '"e/1"', '"1"', '"2019-02-03T04:05:06Z"',
  '"not a date"', '"[a-z]+"', '"(unclosed"', '"POINT(1 2)"', '"-12.5e3"', "'2'", '"\\\\"' }
local ATTRS = { "a", "b", "_key", "_id", "_rev", "arr", "`x y`", "`FOR`", "@attr", "nested", "c" }
local BINARY = { "+", "-", "*", "/", "%", "==", "!=", "<", "<=", ">", ">=", "IN", "NOT IN", "LIKE",
  "NOT LIKE", "=~", "!~", "AND", "OR", "&&", "||", "..", "ALL ==", "ANY <", "NONE IN", "ALL IN",
  "ANY !=", "AT LEAST (1) ==", "?:" }
local UNARY = { "-", "+", "NOT", "!" }
local COLLS = { "c", "e", "c", "e", "@@col", "_graphs", "c", "e", "missing_col" }

local G = {}
G.__index = G

local function new_gen(rng)
  return setmetatable({ rng = rng, vars = {}, depth = 0, binds = {}, bindcols = {} }, G)
end

-- Appends the words of `s` (already a token sequence) as tokens.
local function push(out, ...)
  for i = 1, select("#", ...) do
    local s = select(i, ...)
    out[#out + 1] = s
  end
end

function G:var_name()
  local r = self.rng
  if #self.vars > 0 and r.chance(0.95) then return r.pick(self.vars) end
  -- an undeclared name is a collection reference (1203 unless it exists): keep those rare
  if r.chance(0.75) then return r.pick({ "c", "e" }) end
  return r.pick({ "doc", "undefined_var", "CURRENT", "NEW", "OLD" })
end

function G:literal(out)
  local r = self.rng
  local k = r.int(1, 9)
  if k == 1 then push(out, r.pick({ "null", "NULL", "true", "false", "TRUE" }))
  elseif k <= 3 then push(out, r.pick(INTS))
  elseif k == 4 then push(out, r.pick(FLOATS))
  elseif k <= 6 then push(out, r.pick(STRINGS))
  elseif k == 7 then
    local name = r.pick({ "v", "w", "num", "arr" })
    self.binds[name] = true
    push(out, "@" .. name)
  elseif k == 8 then self:array(out)
  else self:object(out) end
end

function G:array(out)
  push(out, "[")
  local n = self.depth > 3 and 0 or self.rng.int(0, 3)
  for i = 1, n do
    if i > 1 then push(out, ",") end
    self:expr(out)
  end
  push(out, "]")
end

function G:object(out)
  local r = self.rng
  push(out, "{")
  local n = self.depth > 3 and 0 or r.int(0, 3)
  for i = 1, n do
    if i > 1 then push(out, ",") end
    local k = r.int(1, 5)
    if k == 1 then push(out, "[") self:expr(out) push(out, "]", ":") self:expr(out)
    elseif k == 2 and #self.vars > 0 then push(out, r.pick(self.vars)) -- shorthand
    elseif k == 3 then push(out, r.pick(STRINGS), ":") self:expr(out)
    else push(out, r.pick({ "a", "b", "_key", "arr", "nested" }), ":") self:expr(out) end
  end
  push(out, "}")
end

function G:call(out)
  local r = self.rng
  local name = r.chance(0.95) and r.pick(FUNCS) or r.pick({ "NO_SUCH_FN", "MY::UDF", "fn::x::y" })
  local e = functions.lookup(name)
  local n
  if e and r.chance(0.6) then
    local hi = e.max_args
    if not hi or hi > e.min_args + 3 then hi = e.min_args + 3 end
    n = r.int(e.min_args, hi)
  else
    n = r.int(0, 5) -- wrong arity on purpose, or a function the registry lacks
  end
  push(out, name, "(")
  for i = 1, n do
    if i > 1 then push(out, ",") end
    if r.chance(0.1) then
      push(out, r.chance(0.9) and r.pick({ "c", "e" }) or "missing_col") -- bare collection names
    else
      self:expr(out)
    end
  end
  push(out, ")")
end

function G:postfix(out)
  local r = self.rng
  local k = r.int(1, 8)
  if k <= 3 then
    push(out, ".", r.pick(ATTRS))
    if out[#out] == "@attr" then self.binds.attr = true end
  elseif k == 4 then push(out, "[") self:expr(out) push(out, "]")
  elseif k == 5 then push(out, r.pick({ "[*]", "[**]", "[-1]", "[0]" }))
  elseif k == 6 then
    -- "[*" stays one token: the parser wants the star right after the bracket
    push(out, r.pick({ "[*", "[**", "[?" }))
    local question = out[#out] == "[?"
    if r.chance(0.6) then push(out, "FILTER", "CURRENT", r.pick({ ">", "==", "!=" })) self:primary(out) end
    if question then push(out, "]") return end
    if r.chance(0.3) then push(out, "LIMIT", r.pick({ "1", "0", "-1", "1.5", "'x'" })) end
    if r.chance(0.4) then
      push(out, "RETURN", "CURRENT", r.pick({ "*", "+", "." }), r.pick({ "a", "b" }))
      if out[#out - 1] ~= "." then out[#out] = r.pick({ "2", "'x'", "null" }) end
    end
    push(out, "]")
  else push(out, "[", r.pick({ "0", "1", "-1", "'a'", "1.5", "null", "9223372036854775807" }), "]") end
end

-- Primary expressions; past depth 3 only leaves, so queries stay small.
function G:primary(out)
  local r = self.rng
  self.depth = self.depth + 1
  local k = self.depth > 3 and r.int(1, 5) or r.int(1, 14)
  local can_postfix = true
  if k <= 3 then
    self:literal(out)
    can_postfix = out[#out] == "]" or out[#out] == "}" or out[#out]:sub(1, 1) == "@"
  elseif k <= 5 then push(out, self:var_name())
  elseif k <= 8 then self:call(out)
  elseif k == 9 then push(out, "(") self:expr(out) push(out, ")")
  elseif k == 10 then push(out, "(") self:query_body(out, true) push(out, ")")
  elseif k == 11 then push(out, r.pick({ "c", "e" })) -- collection as expression
  elseif k == 12 then push(out, r.pick(UNARY)) self:primary(out) can_postfix = false
  else
    push(out, "(", r.pick({ "1", "0", "-2", "3", "'a'", "null", "1.5", "1e3", "@num" }), "..",
      r.pick({ "3", "0", "-2", "5", "'x'", "null", "2.5" }), ")")
    if out[#out - 3] == "@num" then self.binds.num = true end
  end
  if can_postfix or r.chance(0.02) then
    if r.chance(0.3) then self:postfix(out) end
    if r.chance(0.1) then self:postfix(out) end
  end
  self.depth = self.depth - 1
end

function G:expr(out)
  local r = self.rng
  self:primary(out)
  local n = self.depth > 1 and 0 or r.int(0, 2)
  for _ = 1, n do
    local op = r.pick(BINARY)
    for w in op:gmatch("%S+") do
      if w == "(1)" then push(out, "(", "1", ")") else push(out, w) end
    end
    self:primary(out)
  end
  if r.chance(0.04) then push(out, "?") self:primary(out) push(out, ":") self:primary(out) end
end

-- Small iteration sources so nested loops stay bounded.
function G:source(out)
  local r = self.rng
  local k = r.int(1, 6)
  if k == 1 then push(out, "c")
  elseif k == 2 then push(out, r.pick(COLLS)) if out[#out] == "@@col" then self.bindcols.col = true end
  elseif k == 3 then push(out, "1", "..", r.pick({ "3", "0", "2", "'2'", "null" }))
  elseif k == 4 then self:array(out)
  elseif k == 5 then push(out, "(") self:query_body(out, true) push(out, ")")
  else self:expr(out) end
end

function G:declare(name)
  self.vars[#self.vars + 1] = name
end

local VAR_NAMES = { "x", "y", "z", "doc", "g", "n", "s", "v", "w", "CURRENT" }

function G:statement(out)
  local r = self.rng
  local k = r.int(1, 14)
  if k <= 2 then
    local v = r.pick(VAR_NAMES)
    push(out, "FOR", v, "IN") self:source(out)
    if r.chance(0.1) then push(out, "OPTIONS", "{", "indexHint", ":", "'x'", "}") end
    self:declare(v)
  elseif k == 3 then
    local v = r.pick(VAR_NAMES)
    push(out, "FOR", v, ",", "ed", ",", "p", "IN", r.pick({ "1", "0", "1..2", "2..1" }),
      r.pick({ "OUTBOUND", "INBOUND", "ANY" }), r.pick({ "'c/1'", "'c/999'", "null", "1", "{ _id: 'c/2' }" }),
      r.pick({ "e", "c", "missing_col", "GRAPH 'nope'" }))
    if r.chance(0.3) then push(out, "PRUNE") self:expr(out) end
    if r.chance(0.2) then push(out, "OPTIONS", "{", "uniqueVertices", ":", r.pick({ "'path'", "1", "'x'" }), "}") end
    self:declare(v) self:declare("ed") self:declare("p")
  elseif k == 4 then push(out, "FILTER") self:expr(out)
  elseif k == 5 then
    local v = r.pick(VAR_NAMES)
    push(out, "LET", v, "=") self:expr(out)
    self:declare(v)
  elseif k == 6 then
    push(out, "SORT") self:expr(out)
    if r.chance(0.5) then push(out, r.pick({ "ASC", "DESC" })) end
    if r.chance(0.3) then push(out, ",") self:expr(out) end
  elseif k == 7 then
    push(out, "LIMIT", r.pick({ "0", "1", "2", "-1", "1.5", "@num", "'x'", "null", "1e20" }))
    if out[#out] == "@num" then self.binds.num = true end
    if r.chance(0.4) then push(out, ",", r.pick({ "1", "3", "-5", "0" })) end
  elseif k == 8 then
    push(out, "COLLECT")
    local kind = r.int(1, 4)
    if kind ~= 4 then
      local v = r.pick({ "grp", "key" })
      push(out, v, "=") self:expr(out) self:declare(v)
    end
    if kind == 2 then push(out, "INTO", "groups") self:declare("groups")
      if r.chance(0.3) then push(out, "=") self:expr(out) end
      if r.chance(0.3) then push(out, "KEEP", self:var_name()) end
    elseif kind == 3 then
      push(out, "AGGREGATE", "agg", "=", r.pick({ "SUM", "MIN", "MAX", "LENGTH", "AVG", "COUNT", "UNIQUE",
        "SORTED_UNIQUE", "COUNT_DISTINCT", "STDDEV", "BIT_AND", "CONCAT", "NOOPT", "PUSH" }), "(")
      self:expr(out) push(out, ")") self:declare("agg")
    else push(out, "WITH", "COUNT", "INTO", "cnt") self:declare("cnt") end
    if r.chance(0.15) then push(out, "OPTIONS", "{", "method", ":", r.pick({ "'hash'", "'sorted'", "'bad'", "1" }), "}") end
  elseif k == 9 then
    push(out, "WINDOW")
    if r.chance(0.5) then self:expr(out) push(out, "WITH") end
    push(out, "{", r.pick({ "preceding", "following", "bogus" }), ":",
      r.pick({ "1", "'unbounded'", "-1", "'x'", "0", "null", "'PT1H'", "1.5" }), "}",
      "AGGREGATE", "wsum", "=", r.pick({ "SUM", "AVG", "MAX", "LENGTH", "CONCAT" }), "(")
    self:expr(out) push(out, ")")
    self:declare("wsum")
  elseif k == 10 then
    push(out, "INSERT") self:write_doc(out) push(out, "INTO") self:target(out)
    self:write_options(out)
  elseif k == 11 then
    push(out, r.pick({ "UPDATE", "REPLACE" }))
    if r.chance(0.5) then self:key_expr(out) push(out, "WITH") end
    self:write_doc(out) push(out, "IN") self:target(out)
    self:write_options(out)
  elseif k == 12 then
    push(out, "REMOVE") self:key_expr(out) push(out, "IN") self:target(out)
    self:write_options(out)
  elseif k == 13 then
    push(out, "UPSERT") self:write_doc(out) push(out, "INSERT") self:write_doc(out)
    push(out, r.pick({ "UPDATE", "REPLACE" })) self:write_doc(out) push(out, "IN") self:target(out)
    self:write_options(out)
  else
    push(out, "LET", "sub", "=", "(") self:query_body(out, true) push(out, ")")
    self:declare("sub")
  end
  if k >= 10 and k <= 13 then self:declare("NEW") self:declare("OLD") end
end

function G:key_expr(out)
  local r = self.rng
  if r.chance(0.6) then
    push(out, r.pick({ "'1'", "'2'", "'3'", "'999'", "'c/1'", "1", "null", "{ _key: '4' }", "[]", "'bad key!'" }))
  else
    self:expr(out)
  end
end

function G:write_doc(out)
  local r = self.rng
  if r.chance(0.5) then
    push(out, "{", "_key", ":", r.pick({ "'1'", "'new1'", "'new2'", "1", "null", "'bad/key'", "''", "[]" }),
      ",", "a", ":") self:expr(out) push(out, "}")
  elseif r.chance(0.5) then
    push(out, "{", "a", ":") self:expr(out) push(out, "}")
  else
    self:expr(out)
  end
end

function G:target(out)
  local r = self.rng
  local t = r.pick({ "c", "c", "c", "c", "e", "c", "missing_col", "@@col" })
  if t == "@@col" then self.bindcols.col = true end
  push(out, t)
end

function G:write_options(out)
  local r = self.rng
  if r.chance(0.25) then
    push(out, "OPTIONS", "{", r.pick({ "ignoreErrors", "keepNull", "mergeObjects", "overwriteMode",
      "waitForSync", "ignoreRevs", "exclusive", "bogus" }), ":",
      r.pick({ "true", "false", "'replace'", "'update'", "'ignore'", "'conflict'", "'x'", "1", "null" }), "}")
  end
end

-- A body: statements (in any order, sometimes odd) ending in RETURN most of the time.
function G:query_body(out, sub)
  local r = self.rng
  local saved = #self.vars
  self.depth = self.depth + 1
  local n = self.depth > 2 and r.int(0, 1) or r.int(0, 4)
  for _ = 1, n do self:statement(out) end
  if r.chance(sub and 0.97 or 0.9) or n == 0 then
    push(out, "RETURN")
    if r.chance(0.1) then push(out, "DISTINCT") end
    self:expr(out)
  end
  self.depth = self.depth - 1
  for i = #self.vars, saved + 1, -1 do self.vars[i] = nil end
  return sub
end

--- One generated query: { tokens = {...}, binds = {name=true}, bindcols = {name=true} }.
local function gen_query(rng)
  local g = new_gen(rng)
  local out = {}
  if rng.chance(0.05) then push(out, "WITH", "c") end
  if rng.chance(0.03) then g:expr(out) -- not a query at all
  else g:query_body(out, false) end
  return { tokens = out, binds = g.binds, bindcols = g.bindcols }
end

-- Bind values: right, missing, extra or of the wrong type.
local BIND_VALUES = { 1, 0, -1, 2.5, "x", "1", true, false, null, 1e300, math.maxinteger, math.mininteger,
  json.array({ 1, 2 }), json.array({}), { a = 1 }, json.object({}), "c", "c/1", "", "\0", "ü" }

-- Iteration order of pairs() over bind names must not make the generator nondeterministic.
local function sorted_keys(t)
  local out = {}
  for k in pairs(t) do out[#out + 1] = k end
  table.sort(out)
  return out
end

local function stable(q)
  local b, c = {}, {}
  for _, k in ipairs(sorted_keys(q.binds)) do b[#b + 1] = k end
  for _, k in ipairs(sorted_keys(q.bindcols)) do c[#c + 1] = k end
  -- gen_binds iterates with pairs: rebuild the sets as ordered arrays it can walk stably
  return b, c
end

local function gen_binds(rng, q)
  local names, cols = stable(q)
  if rng.chance(0.05) then
    return rng.pick({ json.array({ 1 }), "not an object", 42 })
  end
  local b = {}
  for _, name in ipairs(names) do
    if not rng.chance(0.1) then b[name] = rng.pick(BIND_VALUES) end
  end
  for _, name in ipairs(cols) do
    if not rng.chance(0.1) then
      b["@" .. name] = rng.pick({ "c", "c", "e", "missing_col", 12, json.array({}), { name = "c" }, "", null })
    end
  end
  if rng.chance(0.05) then b[rng.pick({ "extra", "@extra", "v" })] = 1 end
  return b
end

-- The store fixture ------------------------------------------------------------------------

local function new_db()
  local server = store_mod.new({ sweep = false })
  local db = server:create_database("fuzz", {})
  local c = db:create_collection("c", {})
  for i = 1, 5 do
    c:insert({ _key = tostring(i), a = i, b = "s" .. i, arr = json.array({ i, i + 1 }),
      nested = { a = json.array({ i }) } }, {})
  end
  local e = db:create_collection("e", { type = 3 })
  for i = 1, 4 do e:insert({ _key = tostring(i), _from = "c/" .. i, _to = "c/" .. (i + 1), w = i }, {}) end
  return db, server
end

-- A canonical text of every document of the fixture collections.
local function snapshot(db)
  local parts = {}
  for _, name in ipairs({ "c", "e" }) do
    local col = db:collection(name)
    local docs = {}
    for d in col:iterate() do docs[#docs + 1] = json.encode(d, { sort_keys = true }) end
    table.sort(docs)
    parts[#parts + 1] = name .. ":" .. table.concat(docs, "\n")
  end
  return table.concat(parts, "\n--\n")
end

-- The property -----------------------------------------------------------------------------

local LEAKS = { "attempt to", "stack traceback", "%.lua:%d", "%.lua", "/work/", "devserver/aql", "bad argument #" }

--- Returns nil when `err` is a proper devserver error, else a description of what is wrong.
local function bad_error(err)
  if not errors.is_error(err) then
    return "raw error: " .. tostring(err)
  end
  if math.type(err.num) ~= "integer" or not errors_data[err.num] then
    return "errorNum not in errors.json: " .. tostring(err.num)
  end
  if math.type(err.status) ~= "integer" or err.status < 400 or err.status > 599 then
    return "bad HTTP status: " .. tostring(err.status)
  end
  if err.status == 500 and err.num ~= 4 then
    -- an internal error is a crash in disguise unless it is a deliberate one
    return "internal error status 500: " .. tostring(err.message)
  end
  if type(err.message) ~= "string" or err.message == "" then
    return "empty message"
  end
  for _, pat in ipairs(LEAKS) do
    if err.message:find(pat) then return "message leaks internals (" .. pat .. "): " .. err.message end
  end
  -- the message goes into a JSON answer: it must be valid UTF-8
  if not utf8.len(err.message) then return "message is not valid UTF-8: " .. err.message end
  return nil
end

-- FUZZ_STATS=1 prints how the cases ended (by errorNum), to see what the generator reaches.
local STATS = os.getenv("FUZZ_STATS") and {} or nil

local function run_case(db, text, binds)
  local before = snapshot(db)
  local ok, res = pcall(aql.query, db, text, binds, { maxWarningCount = 5 })
  if STATS then
    local key = ok and "ok" or (errors.is_error(res) and tostring(res.num) or "raw")
    STATS[key] = (STATS[key] or 0) + 1
    if os.getenv("FUZZ_STATS") == "v" then io.stderr:write(key, "\t", text, "\n") end
  end
  if ok then
    if type(res) ~= "table" or type(res.result) ~= "table" then return "no result table" end
    local eok, eerr = pcall(json.encode, res.result)
    if not eok and not tostring(eerr):find("NaN", 1, true) and not tostring(eerr):find("Inf", 1, true) then
      return "result not encodable: " .. tostring(eerr)
    end
    if not eok then return "result holds NaN/Inf: " .. tostring(eerr) end
    return nil
  end
  local why = bad_error(res)
  if why then return why end
  if snapshot(db) ~= before then return "failed query changed the collections (" .. res.message .. ")" end
  return nil
end

local function describe_binds(b)
  local ok, s = pcall(json.encode, b, { sort_keys = true })
  return ok and s or tostring(b)
end

-- Builds every case up front (deterministic), then runs them.
local function build_cases(seed, count)
  local rng = new_rng(seed)
  local cases = {}
  while #cases < count do
    local q = gen_query(rng)
    local binds = gen_binds(rng, q)
    local text = table.concat(q.tokens, " ")
    cases[#cases + 1] = { text = text, binds = binds }
    -- truncations of a few (valid-looking) queries at every token boundary
    if rng.chance(0.015) and #q.tokens < 30 then
      for i = 1, #q.tokens - 1 do
        if #cases >= count then break end
        cases[#cases + 1] = { text = table.concat(q.tokens, " ", 1, i), binds = binds }
      end
    end
    -- a broken variant: one token dropped, doubled or swapped for a stray one
    if rng.chance(0.2) and #q.tokens > 1 and #cases < count then
      local t = table.move(q.tokens, 1, #q.tokens, 1, {})
      local i = rng.int(1, #t)
      local k = rng.int(1, 3)
      if k == 1 then table.remove(t, i)
      elseif k == 2 then table.insert(t, i, t[i])
      else t[i] = rng.pick({ ")", "(", "]", "}", ",", ":", "?", "..", "@", "@@", "'", '"', "`", "#", "$",
        "FOR", "RETURN", "=", "::", ".", "1.", "0x", "0b2", "/*", "//", "\\" }) end
      cases[#cases + 1] = { text = table.concat(t, " "), binds = binds }
    end
  end
  return cases
end

-- Hand-written cases: known edges every run checks, whatever the seed.
local FIXED = {
  { "RETURN 1e400" }, { "RETURN -9223372036854775808 - 1" }, { "RETURN 9223372036854775807 + 1" },
  { "RETURN 9223372036854775807 * 2" }, { "RETURN -9223372036854775808 / -1" }, { "RETURN -9223372036854775808 % -1" },
  { "RETURN 1..1e20" }, { "FOR i IN 1..3 INSERT { _key: 'dup' } INTO c" },
  { "INSERT { _key: 'k1' } INTO c INSERT { _key: 'k1' } INTO c" },
  { "FOR d IN c UPDATE d WITH { a: FAIL('stop') } IN c" },
  { "FOR d IN c REMOVE d IN c FILTER d.a == 3 RETURN 1/'x'" },
  { "FOR d IN c REMOVE d IN c LET z = ASSERT(false, 'no') RETURN z" },
  { "RETURN @v", { v = 1, w = 2 } }, { "RETURN @v", {} }, { "FOR d IN @@col RETURN d", { ["@col"] = 5 } },
  { "RETURN 1 " .. string.rep("x", 30) .. '"ü"' }, { "RETURN" }, { "" }, { "   " }, { "RETURN 'unterminated" }, { 'RETURN "\\uZZZZ"' }, { "RETURN /* open comment" },
}

-- Every function with every arity from min-1 to max+1 and arguments of every type.
local ARG_LITERALS = { "null", "true", "false", "0", "-1", "3", "2.5", "-0.5", "1e-200", "0.05", "1e308", "-1e308", "5e-324",
  "9223372036854775807", "-9223372036854775808", "''", "'abc'", "'ü中😀'", "'2019-02-03T04:05:06Z'", "'c/1'",
  "'%'", "'['", [['\\']], "[]", "[1, 2, 3]", "['a', null, [1]]", "[[1, 2], [3, 4]]", "{}", "{a: 1, b: [2]}",
  "{type: 'Point', coordinates: [1, 2]}", "{_id: 'c/1', _key: '1'}", "c", "e", "(1..3)",
  "[1.5, 'x', true, {}]", "[-1, 0, 1e300]", "'P1D'", "'Europe/Berlin'", "'y'", "'%Y-%m-%d'",
  "'ba*'", "'a.b'", "['a', 'b']", "'text'", "'0x1f'", "[[0, 0], [1, 1], [0, 1], [0, 0]]" }

local function build_function_cases(seed)
  local rng = new_rng(seed)
  local cases = {}
  for _, name in ipairs(FUNCS) do
    local e = functions.lookup(name)
    local lo = e and math.max(0, e.min_args - 1) or 0
    local hi = e and math.min((e.max_args or e.min_args + 3), e.min_args + 4) + 1 or 3
    for n = lo, hi do
      for _ = 1, 3 do
        local args = {}
        for i = 1, n do args[i] = rng.pick(ARG_LITERALS) end
        cases[#cases + 1] = { text = "RETURN " .. name .. "(" .. table.concat(args, ", ") .. ")", binds = {} }
      end
    end
  end
  return cases
end

describe("AQL fuzz (direct engine)", function()
  local function check_all(cases)
    local dump = os.getenv("FUZZ_DUMP") and io.open(os.getenv("FUZZ_DUMP"), "w")
    if dump then
      for _, case in ipairs(cases) do dump:write(case.text, " BINDS=", describe_binds(case.binds), "\n") end
      dump:close()
    end
    local db = new_db()
    local failures = {}
    for i, case in ipairs(cases) do
      local why = run_case(db, case.text, case.binds)
      if why then
        failures[#failures + 1] = string.format("#%d %s  binds=%s\n    -> %s", i, case.text,
          describe_binds(case.binds), why)
      end
      -- successful writes grow the fixture: start over now and then
      if db:collection("c"):count() > 40 then db = new_db() end
    end
    return failures
  end

  it("answers hand-picked edge cases with values or clean errors", function()
    local cases = {}
    for _, f in ipairs(FIXED) do cases[#cases + 1] = { text = f[1], binds = f[2] or {} } end
    local failures = check_all(cases)
    assert(#failures == 0, #failures .. " failures:\n" .. table.concat(failures, "\n", 1, math.min(#failures, 40)))
  end)

  it(string.format("answers %d generated queries (seed %d) with values or clean errors", CASES, SEED), function()
    local failures = check_all(build_cases(SEED, CASES))
    if STATS then
      for _, k in ipairs(sorted_keys(STATS)) do io.stderr:write(k, " ", STATS[k], "\n") end
    end
    assert(#failures == 0, #failures .. " failures:\n" .. table.concat(failures, "\n", 1, math.min(#failures, 40)))
  end)

  it("answers every function called with wrong arities and argument types cleanly", function()
    local failures = check_all(build_function_cases(SEED))
    if STATS then
      for _, k in ipairs(sorted_keys(STATS)) do io.stderr:write(k, " ", STATS[k], "\n") end
    end
    assert(#failures == 0, #failures .. " failures:\n" .. table.concat(failures, "\n", 1, math.min(#failures, 60)))
  end)

  it("rolls a failing write query back completely", function()
    local db = new_db()
    local before = snapshot(db)
    for _, f in ipairs({
      { "FOR k IN ['t1', 't2', '1'] INSERT { _key: k } INTO c", 1210 },
      { "FOR k IN ['1', '2', 'zz'] UPDATE k WITH { a: 99 } IN c", 1202 },
      { "FOR k IN ['1', '2', 'zz'] REPLACE k WITH { a: 99 } IN c", 1202 },
      { "FOR k IN ['1', '2', 'zz'] REMOVE k IN c", 1202 },
      { "FOR k IN ['1', 'new'] UPSERT { _key: k } INSERT { _key: k } UPDATE { a: FAIL('x') } IN c", 1569 },
    }) do
      local ok, err = pcall(aql.query, db, f[1], {}, {})
      assert.is_false(ok, f[1])
      assert.is_nil(bad_error(err))
      assert.are.equal(f[2], err.num, f[1])
      assert.are.equal(before, snapshot(db), f[1])
    end
  end)

  it("generates the same cases for the same seed", function()
    local a, b = build_cases(SEED, 50), build_cases(SEED, 50)
    for i = 1, 50 do
      assert.are.equal(a[i].text, b[i].text)
      assert.are.equal(describe_binds(a[i].binds), describe_binds(b[i].binds))
    end
  end)
end)

describe("AQL fuzz (HTTP /_api/cursor)", function()
  local ds = require "spec.support.devserver"
  local srv

  setup(function()
    srv = ds.start({ auth = false })
    local function req(method, path, body)
      return ds.request(srv.url, method, path, { body = body, headers = { ["content-type"] = "application/json" } })
    end
    assert.are.equal(200, req("POST", "/_api/collection", { name = "c" }).status)
    assert.are.equal(200, req("POST", "/_api/collection", { name = "e", type = 3 }).status)
    for i = 1, 5 do
      req("POST", "/_api/document/c", { _key = tostring(i), a = i, b = "s" .. i })
    end
    for i = 1, 4 do
      req("POST", "/_api/document/e", { _key = tostring(i), _from = "c/" .. i, _to = "c/" .. (i + 1) })
    end
  end)

  teardown(function()
    if srv then srv.stop() end
  end)

  it(string.format("never answers %d generated queries with 500", HTTP_CASES), function()
    local cases = build_cases(SEED + 1, HTTP_CASES)
    local failures, seen = {}, {}
    for i, case in ipairs(cases) do
      local body = { query = case.text, bindVars = case.binds, batchSize = 5 }
      local eok = pcall(json.encode, body)
      if not eok then body = { query = case.text } end
      local res = ds.request(srv.url, "POST", "/_api/cursor",
        { body = body, headers = { ["content-type"] = "application/json" } })
      local j = res.json
      seen[res.status] = (seen[res.status] or 0) + 1
      local why
      if res.status >= 500 then
        why = "status " .. res.status .. ": " .. tostring(res.body)
      elseif type(j) ~= "table" then
        why = "no JSON body (status " .. res.status .. ")"
      elseif res.status >= 400 and (j.error ~= true or math.type(j.errorNum) ~= "integer"
          or not errors_data[j.errorNum] or j.code ~= res.status) then
        why = "malformed error body: " .. res.body
      elseif res.status >= 400 then
        for _, pat in ipairs(LEAKS) do
          if tostring(j.errorMessage):find(pat) then why = "message leaks internals: " .. j.errorMessage end
        end
      end
      if why then
        failures[#failures + 1] = string.format("#%d %s  binds=%s\n    -> %s", i, case.text,
          describe_binds(case.binds), why)
      end
      if j and j.hasMore and j.id then ds.request(srv.url, "DELETE", "/_api/cursor/" .. j.id) end
    end
    if STATS then
      for _, k in ipairs(sorted_keys(seen)) do io.stderr:write("HTTP ", k, " ", seen[k], "\n") end
    end
    -- the cases reached the engine: some ran, some were refused
    assert.is_true((seen[201] or 0) > 0 and (seen[400] or 0) > 0)
    assert(#failures == 0, #failures .. " failures:\n" .. table.concat(failures, "\n", 1, math.min(#failures, 40)))
  end)
end)

