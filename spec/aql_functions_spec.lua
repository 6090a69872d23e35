-- AQL function library driven directly through the registry (no parser): table-driven cases
-- from the recorded examples and the documentation's EXPR // RESULT pairs, plus edge cases.
local json = require "arango.json"
local V = require "arango.devserver.aql.values"
local functions = require "arango.devserver.aql.functions"

local null = json.null
local A = V.array
local shared = require "spec.support.shared"
local DATA = shared.dir .. "/arangodb/aql/"
-- Without the shared reference data the data-driven tests report pending, never pass empty.
local HAVE_DATA = shared.exists(DATA .. "functions.jsonl")

-- A query context double: records warnings, raises failures as tables.
local function new_ctx(opts)
  opts = opts or {}
  local ctx = { warnings = {}, db = opts.db, user = opts.user, db_name = opts.db_name }
  function ctx:warn(num, message) self.warnings[#self.warnings + 1] = { num = num, message = message } end
  function ctx.fail(_, num, message) error({ num = num, message = message }, 0) end
  function ctx:call(name, args)
    local e = functions.lookup(name)
    if not e then self:fail(1540, "unknown function " .. name) end
    return e.call(self, args, #args)
  end
  ctx.now = opts.now or function() return 1700000000123 end
  return ctx
end

local function call(ctx, name, ...)
  local args = table.pack(...)
  local e = assert(functions.lookup(name), "unknown function " .. name)
  assert(args.n >= e.min_args and args.n <= e.max_args, "bad arg count for " .. name)
  return e.call(ctx, args, args.n)
end

---------------------------------------------------------------------------------------------
-- A tiny evaluator for literal AQL expressions: literals, arrays, objects, function calls,
-- unary +/-, and * / + -. Anything else makes the case "unparsable" (skipped and counted).
---------------------------------------------------------------------------------------------
local function eval_literal(src, ctx)
  local pos = 1
  local function error(msg) _G.error({ parse = msg }, 0) end
  local function ws()
    while true do
      local s = src:match("^%s+", pos)
      if s then pos = pos + #s end
      if src:sub(pos, pos + 1) == "//" then
        local e = src:find("\n", pos) or #src + 1
        pos = e
      elseif src:sub(pos, pos + 1) == "/*" then
        local e = src:find("*/", pos + 2, true)
        if not e then error("unterminated comment") end
        pos = e + 2
      elseif not s then
        return
      end
    end
  end
  local expr
  local function str(q)
    pos = pos + 1
    local out = {}
    while true do
      local c = src:sub(pos, pos)
      if c == "" then error("unterminated string") end
      if c == q then pos = pos + 1; break end
      if c == "\\" then
        local n = src:sub(pos + 1, pos + 1)
        local map = { n = "\n", t = "\t", r = "\r", b = "\b", f = "\f", ["\\"] = "\\", ['"'] = '"',
          ["'"] = "'", ["/"] = "/" }
        if n == "u" then
          out[#out + 1] = utf8.char(tonumber(src:sub(pos + 2, pos + 5), 16))
          pos = pos + 6
        elseif map[n] then
          out[#out + 1] = map[n]
          pos = pos + 2
        else
          out[#out + 1] = n
          pos = pos + 2
        end
      else
        out[#out + 1] = c
        pos = pos + 1
      end
    end
    return table.concat(out)
  end
  local function primary()
    ws()
    local c = src:sub(pos, pos)
    if c == '"' or c == "'" then return str(c) end
    if c == "[" then
      pos = pos + 1
      local out = A({})
      ws()
      if src:sub(pos, pos) == "]" then pos = pos + 1; return out end
      while true do
        out[#out + 1] = expr()
        ws()
        local d = src:sub(pos, pos)
        pos = pos + 1
        if d == "]" then return out end
        if d ~= "," then error("bad array") end
      end
    end
    if c == "{" then
      pos = pos + 1
      local out, order = {}, {}
      ws()
      if src:sub(pos, pos) == "}" then pos = pos + 1; return out end
      while true do
        ws()
        local k
        local q = src:sub(pos, pos)
        if q == '"' or q == "'" then
          k = str(q)
        else
          k = src:match("^[%a_][%w_]*", pos)
          if not k then error("bad key") end
          pos = pos + #k
        end
        ws()
        if src:sub(pos, pos) ~= ":" then error("bad object") end
        pos = pos + 1
        out[k] = expr()
        order[#order + 1] = k
        ws()
        local d = src:sub(pos, pos)
        pos = pos + 1
        if d == "}" then return V.set_key_order(out, order) end
        if d ~= "," then error("bad object") end
      end
    end
    if c == "(" then
      pos = pos + 1
      local v = expr()
      ws()
      if src:sub(pos, pos) ~= ")" then error("bad paren") end
      pos = pos + 1
      return v
    end
    local num = src:match("^0[xX]%x+", pos) or src:match("^%d*%.?%d+[eE][-+]?%d+", pos)
      or src:match("^%d+%.%d*", pos) or src:match("^%.%d+", pos) or src:match("^%d+", pos)
    if num and not src:match("^%d+%.%.", pos) then
      pos = pos + #num
      local v = tonumber(num)
      if num:find("[%.eE]") and not num:find("^0[xX]") then v = v + 0.0 end
      return V.normalize_number(v)
    end
    local id = src:match("^[%a_][%w_]*", pos)
    if not id then error("unexpected " .. c) end
    pos = pos + #id
    local lid = id:lower()
    if lid == "true" then return true end
    if lid == "false" then return false end
    if lid == "null" then return null end
    ws()
    if src:sub(pos, pos) ~= "(" then error("identifier " .. id) end
    pos = pos + 1
    local args = {}
    ws()
    if src:sub(pos, pos) == ")" then
      pos = pos + 1
    else
      while true do
        args[#args + 1] = expr()
        ws()
        local d = src:sub(pos, pos)
        pos = pos + 1
        if d == ")" then break end
        if d ~= "," then error("bad call") end
      end
    end
    local e = functions.lookup(id:upper())
    if not e then error("unknown function " .. id) end
    return e.call(ctx, args, #args)
  end
  local function unary()
    ws()
    local c = src:sub(pos, pos)
    if c == "-" or c == "+" then
      pos = pos + 1
      local v = unary()
      if type(v) ~= "number" then error("unary on non-number") end
      return c == "-" and V.normalize_number(-v + 0.0) or v
    end
    return primary()
  end
  local function term()
    local v = unary()
    while true do
      ws()
      local c = src:sub(pos, pos)
      if (c == "*" or c == "/") and src:sub(pos + 1, pos + 1) ~= "*" then
        pos = pos + 1
        local r = unary()
        if type(v) ~= "number" or type(r) ~= "number" then error("arith") end
        v = V.normalize_number(c == "*" and (v + 0.0) * r or v / r)
      else
        return v
      end
    end
  end
  function expr()
    local v = term()
    while true do
      ws()
      local c = src:sub(pos, pos)
      if (c == "+" or c == "-") then
        pos = pos + 1
        local r = term()
        if type(v) ~= "number" or type(r) ~= "number" then error("arith") end
        v = V.normalize_number(c == "+" and v + r + 0.0 or v - r + 0.0)
      else
        return v
      end
    end
  end
  local v = expr()
  ws()
  if pos <= #src then error("trailing input at " .. pos) end
  return v
end

local function num_equal(a, b, loose)
  if a == b then return true end
  local tol = math.max(1, math.abs(b)) * 1e-12
  if loose then tol = 5e-4 end
  return math.abs(a - b) <= tol
end

-- Deep comparison; expected values may come from a codec that loses [] vs {} for empties.
local function same(actual, expected, loose)
  if type(expected) == "number" then
    return type(actual) == "number" and num_equal(actual, expected, loose)
  end
  if type(expected) ~= "table" then return actual == expected end
  if type(actual) ~= "table" then return false end
  if next(expected) == nil and next(actual) == nil then return true end
  if V.is_array(actual) then
    if #actual ~= #expected then return false end
    for i = 1, #expected do
      if not same(actual[i], expected[i], loose) then return false end
    end
    return true
  end
  for k, v in pairs(expected) do
    if actual[k] == nil or not same(actual[k], v, loose) then return false end
  end
  for k in pairs(actual) do
    if expected[k] == nil then return false end
  end
  return true
end

local read_jsonl = require("spec.support.shared").read_jsonl

-- Documented results that are wrong in the documentation itself or need what we do not model.
local known = {
  ['DATE_FORMAT("2016-03-01", "%xxx%")'] = "2016-03-01 is day 61 of the year; the docs say 063",
  ['BIT_FROM_STRING("100000000000000000000")'] = "binary 1 followed by 20 zeros is 1048576 (doc typo)",
  ['BIT_TO_STRING(60, 8)'] = "60 is 111100 in binary; the docs show 30",
}

--- True when expr is a literal expression our evaluator understands (no variables/operators).
local function is_literal(expr)
  local ok, err = pcall(eval_literal, expr, new_ctx())
  return ok or not (type(err) == "table" and err.parse)
end

local nondeterministic = { RAND = true, RANDOM = true, UUID = true, RANDOM_TOKEN = true, DATE_NOW = true }

local function uses_nondeterministic(list)
  for _, f in ipairs(list or {}) do
    if nondeterministic[f] then return true end
  end
  return false
end

describe("aql functions", function()
  describe("registry", function()
    it("covers the whole catalogue", function()
      if not HAVE_DATA then return pending(DATA .. " is not available") end
      local catalogue = read_jsonl(DATA .. "functions.jsonl")
      assert.is_true(#catalogue >= 250, "catalogue has " .. #catalogue .. " entries")
      local missing = {}
      for _, entry in ipairs(catalogue) do
        if not functions.lookup(entry.name) then missing[#missing + 1] = entry.name end
      end
      assert.same({}, missing)
    end)

    it("returns nil for unknown names and resolves aliases", function()
      assert.is_nil(functions.lookup("NO_SUCH_FUNCTION"))
      assert.equal("LENGTH", functions.lookup("COUNT").alias_of)
      assert.equal(3, call(new_ctx(), "COUNT", A { 1, 2, 3 }))
      assert.equal(functions.lookup("CONCAT"), functions.lookup("concat"))
    end)

    it("declares argument counts", function()
      local e = functions.lookup("SUBSTRING")
      assert.equal(2, e.min_args)
      assert.equal(3, e.max_args)
      assert.equal(math.huge, functions.lookup("CONCAT").max_args)
    end)
  end)

  describe("documented results", function()
    local cases, skipped = {}, 0
    for _, rec in ipairs(read_jsonl(DATA .. "documented-results.jsonl")) do
      local expr = rec.expression
      if #(rec.functions_used or {}) > 0 and expr:match("^%s*[%a_][%w_]*%s*%(")
        and not uses_nondeterministic(rec.functions_used) and not known[expr] and is_literal(expr) then
        cases[#cases + 1] = rec
      else
        skipped = skipped + 1
      end
    end
    for _, rec in ipairs(cases) do
      it((rec.expression:gsub("%s+", " ")), function()
        local ok, v = pcall(eval_literal, rec.expression, new_ctx())
        assert(ok, type(v) == "table" and v.message or v)
        assert.is_true(same(v, rec.documented_result, true),
          "got " .. V.to_json(v) .. ", documented " .. V.to_json(rec.documented_result))
      end)
    end
    it("covers most documented calls (" .. #cases .. " run, " .. skipped .. " skipped)", function()
      if not HAVE_DATA then return pending(DATA .. " is not available") end
      assert.is_true(#cases > 150)
    end)
  end)

  describe("recorded examples (RETURN of literal calls)", function()
    local cases = {}
    for _, rec in ipairs(read_jsonl(DATA .. "examples.jsonl")) do
      local q = (rec.query_executed or rec.query):gsub("/%*.-%*/", ""):gsub("//[^\n]*", "")
      local expr = q:match("^%s*RETURN%s+(.-)%s*$")
      local binds = rec.bindVars
      if expr and rec.error == nil or rec.error == null then
        if expr and (binds == nil or binds == null or next(binds) == nil)
          and #(rec.collections_used or {}) == 0 and #(rec.functions_used or {}) > 0
          and not uses_nondeterministic(rec.functions_used) and not known[expr]
          and type(rec.expected) == "table" and #rec.expected == 1 and is_literal(expr) then
          cases[#cases + 1] = { expr = expr, expected = rec.expected[1] }
        end
      end
    end
    for _, c in ipairs(cases) do
      it((c.expr:gsub("%s+", " ")), function()
        local ok, v = pcall(eval_literal, c.expr, new_ctx())
        if type(c.expected) == "table" and c.expected.tzdb and type(v) == "table" then
          v.tzdb = c.expected.tzdb -- the time zone database version differs between hosts
        end
        assert(ok, type(v) == "table" and v.message or v)
        assert.is_true(same(v, c.expected, false),
          "got " .. V.to_json(v) .. ", recorded " .. V.to_json(c.expected))
      end)
    end
    it("finds enough literal examples (" .. #cases .. ")", function()
      if not HAVE_DATA then return pending(DATA .. " is not available") end
      assert.is_true(#cases > 80)
    end)
  end)

  describe("bad input", function()
    it("returns null with warning 1542 for wrong argument types", function()
      local ctx = new_ctx()
      assert.equal(null, call(ctx, "SUM", "abc"))
      assert.equal(null, call(ctx, "FIRST", 12))
      assert.equal(null, call(ctx, "BIT_AND", "foo"))
      assert.equal(null, call(ctx, "IPV4_FROM_NUMBER", -23))
      assert.equal(null, call(ctx, "IPV4_TO_NUMBER", "milk"))
      assert.equal(null, call(ctx, "MERGE", 1, { a = 1 }))
      assert.equal(6, #ctx.warnings)
      for _, w in ipairs(ctx.warnings) do assert.equal(1542, w.num) end
      assert.equal("invalid argument type in call to function 'SUM()'", ctx.warnings[1].message)
    end)

    it("warns 1572 for invalid dates", function()
      local ctx = new_ctx()
      assert.equal(null, call(ctx, "DATE_YEAR", "not a date"))
      assert.equal(null, call(ctx, "DATE_ADD", "2020-13-01", 1, "day"))
      assert.equal(null, call(ctx, "DATE_ISO8601", 1e20))
      assert.equal(3, #ctx.warnings)
      assert.equal(1572, ctx.warnings[1].num)
    end)

    it("warns for a missing time zone and returns null", function()
      local ctx = new_ctx()
      assert.equal(null, call(ctx, "DATE_HOUR", "2020-01-01T00:00:00Z", "Mars/Olympus_Mons"))
      assert.equal(1, #ctx.warnings)
    end)

    it("warns 1543 for an invalid regex", function()
      local ctx = new_ctx()
      assert.equal(null, call(ctx, "REGEX_TEST", "abc", "(unclosed"))
      assert.equal(1543, ctx.warnings[1].num)
    end)

    it("maps NaN and infinities to null", function()
      local ctx = new_ctx()
      assert.equal(null, call(ctx, "SQRT", -1))
      assert.equal(null, call(ctx, "LOG", 0))
      assert.equal(null, call(ctx, "POW", 10, 400))
      assert.equal(null, call(ctx, "AVERAGE", A {}))
    end)

    it("FAIL raises 1569 with the reason", function()
      local ok, err = pcall(call, new_ctx(), "FAIL", "boom")
      assert.is_false(ok)
      assert.equal(1569, err.num)
      assert.equal("FAIL(boom) called", err.message)
    end)

    it("ASSERT raises 1593, WARN records 1594", function()
      local ctx = new_ctx()
      assert.is_true(call(ctx, "ASSERT", true, "fine"))
      local ok, err = pcall(call, ctx, "ASSERT", false, "not fine")
      assert.is_false(ok)
      assert.equal(1593, err.num)
      assert.is_false(call(ctx, "WARN", 0, "careful"))
      assert.equal(1594, ctx.warnings[1].num)
      assert.equal("careful", ctx.warnings[1].message)
    end)

    it("refuses user functions and V8() with a clear error", function()
      local ok, err = pcall(call, new_ctx(), "CALL", "MYFUNCS::DOUBLE", 2)
      assert.is_false(ok)
      assert.equal(1583, err.num)
      assert.truthy(err.message:find("JavaScript", 1, true))
      ok, err = pcall(call, new_ctx(), "V8", 1)
      assert.is_false(ok)
      assert.equal(9, err.num)
    end)
  end)

  describe("edge behaviour", function()
    local ctx = new_ctx()

    it("counts characters, not bytes", function()
      assert.equal(4, call(ctx, "CHAR_LENGTH", "电脑坏了"))
      assert.equal("脑坏", call(ctx, "SUBSTRING", "电脑坏了", 1, 2))
      assert.equal("了坏脑电", call(ctx, "REVERSE", "电脑坏了"))
      assert.equal("ÄBC", call(ctx, "UPPER", "äbc"))
      assert.equal(2, call(ctx, "FIND_FIRST", "äbäb", "ä", 1))
      assert.equal("é", call(ctx, "LEFT", "éa", 1))
    end)

    it("handles LIKE wildcards, escapes and case", function()
      assert.is_true(call(ctx, "LIKE", "a_b_foo", "a\\_b\\_foo"))
      assert.is_false(call(ctx, "LIKE", "axb_foo", "a\\_b\\_foo"))
      assert.is_true(call(ctx, "LIKE", "100%", "100\\%"))
      assert.is_true(call(ctx, "LIKE", "Ünïcode", "_n%e"))
      assert.is_true(call(ctx, "LIKE", "FOO", "f%", true))
    end)

    it("runs regular expressions with groups, alternation and classes", function()
      assert.same({ "2024-01-05", "2024", "01", "05" },
        call(ctx, "REGEX_MATCHES", "on 2024-01-05!", "(\\d{4})-(\\d\\d)-(\\d\\d)"))
      assert.equal("b-a", call(ctx, "REGEX_REPLACE", "a-b", "(\\w)-(\\w)", "$2-$1"))
      assert.is_true(call(ctx, "REGEX_TEST", "ABC", "^[a-c]+$", true))
      assert.is_false(call(ctx, "REGEX_TEST", "ABC", "^[a-c]+$"))
      assert.same({ "a", "b", "c" }, call(ctx, "REGEX_SPLIT", "a1b22c", "\\d+"))
    end)

    it("prints numbers like ArangoDB in strings", function()
      assert.equal("1e+21", call(ctx, "TO_STRING", 1e21))
      assert.equal("x0.1", call(ctx, "CONCAT", "x", 0.1))
      assert.equal("[1,2.5]", call(ctx, "JSON_STRINGIFY", A { 1, 2.5 }))
    end)

    it("normalizes numeric results to integers", function()
      assert.equal("integer", math.type(call(ctx, "SUM", A { 1.5, 2.5 })))
      assert.equal("integer", math.type(call(ctx, "FLOOR", 2.7)))
      assert.equal("integer", math.type(call(ctx, "AVERAGE", A { 2, 4 })))
    end)

    it("computes dates in time zones across DST changes", function()
      assert.equal("2023-03-26T01:00:00.000Z",
        call(ctx, "DATE_LOCALTOUTC", "2023-03-26T03:00:00.000", "Europe/Berlin"))
      assert.equal("2023-07-01T02:00:00.000",
        call(ctx, "DATE_UTCTOLOCAL", "2023-07-01T00:00:00Z", "Europe/Berlin"))
      assert.equal("2024-02-29T00:00:00.000Z", call(ctx, "DATE_ADD", "2024-01-29", "P1M"))
      assert.equal("2023-12-31T00:00:00.000Z", call(ctx, "DATE_SUBTRACT", "2024-01-01", 1, "d"))
      assert.equal(1, call(ctx, "DATE_DIFF", "2020-01-15", "2021-01-15", "y"))
      assert.equal("2020-01-01T00:00:00.000Z", call(ctx, "DATE_TRUNC", "2020-05-17T13:14:15.016Z", "year"))
      assert.equal("2020-05-17T13:10:00.000Z",
        call(ctx, "DATE_ROUND", "2020-05-17T13:14:15.016Z", 5, "minutes"))
      assert.is_true(call(ctx, "DATE_COMPARE", "2020-05-17T01:00:00Z", "2020-05-17T23:00:00Z",
        "years", "days"))
      assert.equal("Sunday, 17. May 2020", call(ctx, "DATE_FORMAT", "2020-05-17", "%wwww, %d. %mmmm %yyyy"))
      assert.equal(1700000000123, call(ctx, "DATE_NOW"))
      -- the engine's clock counts seconds
      assert.equal(1700000000500, call(new_ctx({ now = function() return 1700000000.5 end }), "DATE_NOW"))
      assert.equal("2023-11-14T22:13:20.123Z", call(ctx, "DATE_ISO8601", 1700000000123))
      assert.equal(0, call(ctx, "DATE_TIMESTAMP", 1970, 1, 1))
    end)

    it("computes geo relations", function()
      local square = call(ctx, "GEO_POLYGON",
        A { A { 0, 0 }, A { 10, 0 }, A { 10, 10 }, A { 0, 10 }, A { 0, 0 } })
      assert.is_true(call(ctx, "GEO_CONTAINS", square, A { 5, 5 }))
      assert.is_false(call(ctx, "GEO_CONTAINS", square, A { 15, 5 }))
      local line = call(ctx, "GEO_LINESTRING", A { A { -5, 5 }, A { 5, 5 } })
      assert.is_true(call(ctx, "GEO_INTERSECTS", square, line))
      assert.is_false(call(ctx, "GEO_CONTAINS", square, line))
      local d = call(ctx, "GEO_DISTANCE", A { 0, 0 }, A { 0, 1 })
      assert.is_true(math.abs(d - 111194.93) < 1)
      local legacy = A { A { 0, 0 }, A { 0, 10 }, A { 10, 10 }, A { 10, 0 } }
      assert.is_true(call(ctx, "IS_IN_POLYGON", legacy, 4, 7))
      assert.is_false(call(ctx, "IS_IN_POLYGON", legacy, 14, 7))
      assert.equal(null, call(ctx, "GEO_POLYGON", A { A { 0, 0 }, A { 1, 1 } }))
    end)

    it("hashes deterministically", function()
      assert.equal(call(ctx, "HASH", { a = 1, b = A { 1, 2 } }), call(ctx, "HASH", { b = A { 1, 2 }, a = 1 }))
      assert.are_not.equal(call(ctx, "HASH", 1), call(ctx, "HASH", "1"))
      assert.equal("3858f62230ac3c915f300c664312c63f", call(ctx, "MD5", "foobar"))
      assert.equal("string", type(call(ctx, "UUID")))
      assert.equal(16, #call(ctx, "RANDOM_TOKEN", 16))
    end)

    it("calls built-ins through CALL and APPLY", function()
      assert.equal("a-b", call(ctx, "CALL", "concat_separator", "-", "a", "b"))
      assert.equal(3, call(ctx, "APPLY", "MAX", A { A { 1, 3, 2 } }))
    end)

    it("reads documents through the database", function()
      local docs = { a = { _key = "a", _id = "c/a", v = 1 }, b = { _key = "b", _id = "c/b", v = 2 } }
      local col = {
        get = function(_, key) return docs[key] end,
        count = function() return 2 end,
      }
      local db = { collection = function(_, name) if name == "c" then return col end return nil end,
        collections = function() return { { name = "c", id = "42" } } end }
      local dctx = new_ctx({ db = db, db_name = "test" })
      assert.equal(docs.a, call(dctx, "DOCUMENT", "c/a"))
      assert.equal(docs.b, call(dctx, "DOCUMENT", "c", "b"))
      assert.same({ docs.a, docs.b }, call(dctx, "DOCUMENT", A { "c/a", "c/x", "c/b" }))
      assert.equal(null, call(dctx, "DOCUMENT", "nope/a"))
      assert.equal(2, call(dctx, "COLLECTION_COUNT", "c"))
      assert.same({ { _id = "42", name = "c" } }, call(dctx, "COLLECTIONS"))
      assert.equal("test", call(dctx, "CURRENT_DATABASE"))
      local ok, err = pcall(call, dctx, "COLLECTION_COUNT", "nope")
      assert.is_false(ok)
      assert.equal(1203, err.num)
    end)
  end)
end)

describe("analyzers and Snowball stemmers", function()
  local english = require "arango.devserver.aql.snowball.english"
  local german = require "arango.devserver.aql.snowball.german"
  local analyzers = require "arango.devserver.aql.analyzers"

  it("stems English words with Porter2", function()
    local cases = { caresses = "caress", ponies = "poni", ties = "tie", cries = "cri", gaps = "gap",
      gas = "gas", hoping = "hope", running = "run", agreed = "agre", happiness = "happi",
      relational = "relat", generously = "generous", communication = "communic", skies = "sky",
      says = "say", knightly = "knight", consolingly = "consol", effective = "effect", lazy = "lazi",
      succeeding = "succeed", ["dog's"] = "dog", at = "at" }
    for word, stem in pairs(cases) do assert.equal(stem, english.stem(word), word) end
  end)

  it("stems German words", function()
    local cases = { lorem = "lor", aufeinanderfolgenden = "aufeinanderfolg", aufhebung = "aufheb",
      katholischen = "kathol", ["h\u{E4}user"] = "haus", ["bed\u{FC}rfnissen"] = "bedurfnis",
      ["m\u{F6}glichkeit"] = "moglich", freundlichkeit = "freundlich", ["stra\u{DF}e"] = "strass",
      kinder = "kind", amet = "amet" }
    for word, stem in pairs(cases) do assert.equal(stem, german.stem(word), word) end
  end)

  it("defines the built-in text analyzers", function()
    local de = analyzers.definition(nil, "text_de")
    assert.equal("text", de.type)
    assert.same({ locale = "de", case = "lower", stopwords = {}, accent = false, stemming = true },
      de.properties)
    local names = {}
    for _, d in ipairs(analyzers.builtin()) do names[#names + 1] = d.name end
    assert.same({ "identity", "text_de", "text_en", "text_es", "text_fi", "text_fr", "text_it", "text_nl",
      "text_no", "text_pt", "text_ru", "text_sv", "text_zh" }, names)
    assert.is_nil(analyzers.definition(nil, "no_such_analyzer"))
  end)

  it("segments, folds case and accents, then stems", function()
    local ctx = new_ctx()
    assert.same({ "the", "quick", "fox", "jump", "3.14", "it" },
      call(ctx, "TOKENS", "The quick foxes JUMPED: 3.14, it!", "text_en"))
    assert.same({ "uber", "haus" }, call(ctx, "TOKENS", "\u{DC}ber H\u{E4}user", "text_de"))
    assert.same({ "A b" }, call(ctx, "TOKENS", "A b", "identity"))
    local ok, err = pcall(call, ctx, "TOKENS", "x", "no_such_analyzer")
    assert.is_false(ok)
    assert.equal(10, err.num)
  end)
end)

describe("AQL functions: fuzz findings (huge and tiny numbers)", function()
  local big = math.maxinteger

  it("SLICE clamps a huge start or length instead of wrapping around", function()
    local ctx = new_ctx()
    assert.same({}, call(ctx, "SLICE", A({ 1, 2, 3 }), big, big))
    assert.same({ 2, 3 }, call(ctx, "SLICE", A({ 1, 2, 3 }), 1, big))
    assert.same({ 3 }, call(ctx, "SLICE", A({ 1, 2, 3 }), -1, big))
  end)

  it("REPEAT, MINHASH and REPLACE_NTH stop at the resource limit with warning 32", function()
    for _, case in ipairs({
      { "REPEAT", "ab", big }, { "MINHASH", A({ 1 }), 1e300 }, { "REPLACE_NTH", A({ 1 }), 1e300, 1, 0 },
    }) do
      local ctx = new_ctx()
      assert.are.equal(null, call(ctx, table.unpack(case, 1, #case)), case[1])
      assert.are.equal(32, ctx.warnings[1] and ctx.warnings[1].num, case[1])
    end
  end)

  it("RANGE ends when the bounds sit at the edge of the number range", function()
    local ctx = new_ctx()
    assert.same({ big }, call(ctx, "RANGE", 1e308, 1e308))
    assert.same({ big - 1, big }, call(ctx, "RANGE", big - 1, big))
    assert.are.equal(null, call(ctx, "RANGE", -big, big))
    assert.are.equal(32, ctx.warnings[1].num)
  end)

  it("MINHASH_COUNT of a tiny error rate is an invalid argument, not infinity", function()
    local ctx = new_ctx()
    assert.are.equal(null, call(ctx, "MINHASH_COUNT", 1e-200))
    assert.are.equal(1542, ctx.warnings[1].num)
    assert.are.equal(400, call(ctx, "MINHASH_COUNT", 0.05))
  end)

  it("ASSERT fails with a non-empty message even when given none", function()
    local ok, err = pcall(call, new_ctx(), "ASSERT", false, null)
    assert.is_false(ok)
    assert.are.equal(1593, err.num)
    assert.are.equal("ASSERT() failed", err.message)
  end)
end)
