-- arango.json: exact round trips, arrays vs objects, unicode, error positions, limits.
local json = require "arango.json"
local has_cjson, cjson = pcall(require, "cjson")

-- xorshift64*: a deterministic source of 64-bit integers, independent of math.random.
local function make_rng(seed)
  local x = seed
  return function()
    x = x ~ (x << 13)
    x = x ~ (x >> 7)
    x = x ~ (x << 17)
    return x
  end
end

local function bits(d) return string.pack("<d", d) end

local function same_double(a, b)
  return math.type(a) == "float" and math.type(b) == "float" and bits(a) == bits(b)
end

local function decode_error(text, opts)
  local ok, err = pcall(json.decode, text, opts)
  assert(not ok, "decoding should have failed: " .. string.format("%q", text))
  return err
end

local function encode_error(value, opts)
  local ok, err = pcall(json.encode, value, opts)
  assert(not ok, "encoding should have failed")
  return err
end

-- Structural equality; numbers compare by value and subtype, metatables are ignored.
local function deep_equal(a, b, loose_numbers)
  if type(a) ~= type(b) then return false end
  if type(a) == "number" then
    if loose_numbers then return a == b end
    return math.type(a) == math.type(b) and (a == b or (a ~= a and b ~= b))
  end
  if type(a) ~= "table" then return a == b end
  for k, v in pairs(a) do
    if not deep_equal(v, b[k], loose_numbers) then return false end
  end
  for k in pairs(b) do
    if a[k] == nil then return false end
  end
  return true
end

-- The text the codec must print for a float: the first of %.15g/%.16g/%.17g that reads back
-- (from one digit for subnormals), with ".0" when it would otherwise read back as an integer.
local function expected_float_text(d)
  local first = (d ~= 0 and math.abs(d) < 2.2250738585072014e-308) and 1 or 15
  local s
  for prec = first, 17 do
    s = string.format("%." .. prec .. "g", d)
    if tonumber(s) == d then break end
  end
  if not s:find("[%.e]") then s = s .. ".0" end
  return s
end

describe("arango.json", function()
  describe("integers", function()
    local edges = {
      0, 1, -1, 9, 10, -10, 99, 100, 255, 65535, 1 << 31, -(1 << 31), 4294967296,
      (1 << 53) - 1, 1 << 53, (1 << 53) + 1, -(1 << 53) - 1, 1234567890123456,
      math.maxinteger, math.maxinteger - 1, math.mininteger, math.mininteger + 1,
    }

    it("round-trip exactly as integers, including the int64 edges", function()
      for _, i in ipairs(edges) do
        local text = json.encode(i)
        assert.are.equal(string.format("%d", i), text)
        local back = json.decode(text)
        assert.are.equal("integer", math.type(back))
        assert.are.equal(i, back)
      end
    end)

    it("round-trip random 64-bit integers of every magnitude", function()
      local rng = make_rng(0x5eed)
      for n = 1, 3000 do
        local i = rng() >> (n % 64)
        if n % 2 == 0 then i = -i end
        local back = json.decode(json.encode(i))
        assert.are.equal("integer", math.type(back))
        assert.are.equal(i, back)
      end
    end)

    it("decode numbers that cjson 2.1 corrupts exactly", function()
      assert.are.equal(9007199254740993, json.decode("9007199254740993"))
      assert.are.equal(1234567890123456, json.decode("1234567890123456"))
      assert.are.equal("integer", math.type(json.decode("[1]")[1]))
      assert.are.equal(0.1 + 0.2, json.decode("0.30000000000000004"))
    end)

    it("decode integers beyond int64 as the nearest double", function()
      local cases = {
        ["9223372036854775808"] = 2 ^ 63,
        ["-9223372036854775809"] = -(2 ^ 63),
        ["18446744073709551616"] = 2 ^ 64,
        ["123456789012345678901234567890"] = 1.2345678901234568e29,
        ["-123456789012345678901234567890"] = -1.2345678901234568e29,
      }
      for text, want in pairs(cases) do
        assert.is_true(same_double(want, json.decode(text)), text)
      end
    end)

    it("decode -0 as the integer 0 and -0.0 as negative zero", function()
      assert.are.equal("integer", math.type(json.decode("-0")))
      local z = json.decode("-0.0")
      assert.are.equal("float", math.type(z))
      assert.are.equal(-math.huge, 1 / z)
    end)
  end)

  describe("floats", function()
    local specials = {
      0.1, 0.2, 0.1 + 0.2, 1 / 3, math.pi, -math.pi, 123.456, 1e-4, 1e-5, 1e15, 1e16, 1e21, 1e22, 1e23,
      5e-324, 1e-323, 2.225073858507201e-308, 2.2250738585072014e-308, 1.7976931348623157e308,
      -1.7976931348623157e308, 4.9406564584124654e-324, 1e300, 1e-300, 0.0, -0.0, 1.0, -1.0,
      2 ^ 53, 2 ^ 53 + 2, 2 ^ 63, 2 ^ 64, 9007199254740993.0, 0.000123456789012345, 999999999999999.9,
    }

    local function check(d)
      local text = json.encode(d)
      assert.are.equal(expected_float_text(d), text)
      local back = json.decode(text)
      assert.is_true(same_double(d, back), text)
    end

    it("print the shortest text that reads back bit-identically", function()
      for _, d in ipairs(specials) do check(d) end
    end)

    it("round-trip random bit patterns", function()
      local rng = make_rng(0xdecaf)
      local n = 0
      while n < 5000 do
        local d = string.unpack("<d", string.pack("<i8", rng()))
        if d == d and d ~= math.huge and d ~= -math.huge then
          check(d)
          n = n + 1
        end
      end
    end)

    it("round-trip random decimals with few digits", function()
      local rng = make_rng(0xfeed)
      for _ = 1, 5000 do
        local d = (rng() % 100000000) / 10 ^ (rng() % 12)
        check(d)
        check(-d)
      end
    end)

    it("print known values as expected", function()
      assert.are.equal("0.1", json.encode(0.1))
      assert.are.equal("0.30000000000000004", json.encode(0.1 + 0.2))
      assert.are.equal("1.0", json.encode(1.0))
      assert.are.equal("-0.0", json.encode(-0.0))
      assert.are.equal("100.0", json.encode(100.0))
      assert.are.equal("9007199254740992.0", json.encode(2 ^ 53))
      assert.are.equal("1e+300", json.encode(1e300))
      assert.are.equal("5e-324", json.encode(5e-324))
      assert.are.equal("1.7976931348623157e+308", json.encode(1.7976931348623157e308))
      assert.are.equal("[1.5,2,2.0]", json.encode({ 1.5, 2, 2.0 }))
    end)

    it("keep integral floats floats across a round trip", function()
      for _, d in ipairs({ 1.0, -3.0, 2 ^ 53, 1e300, 1e15 }) do
        assert.are.equal("float", math.type(json.decode(json.encode(d))))
      end
      assert.are.equal("float", math.type(json.decode("1.0")))
      assert.are.equal("float", math.type(json.decode("1e2")))
      assert.are.equal(100.0, json.decode("1E+2"))
      assert.are.equal(0.01, json.decode("1e-2"))
    end)

    it("decode long and extreme spellings correctly", function()
      assert.are.equal(1.0, json.decode("1.00000000000000000000000000000000001"))
      assert.are.equal(0.1, json.decode("0.1000000000000000055511151231257827"))
      assert.is_true(same_double(5e-324, json.decode("4.9406564584124654e-324")))
      assert.is_true(same_double(0.0, json.decode("1e-400")))
      assert.is_true(same_double(-0.0, json.decode("-1e-400")))
      assert.are.equal(1e22, json.decode("10000000000000000000000.0"))
      assert.are.equal(123.456, json.decode("0.000000123456e9"))
    end)

    it("refuse NaN and infinities", function()
      assert.matches("cannot encode NaN", encode_error(0 / 0))
      assert.matches("cannot encode inf", encode_error(math.huge))
      assert.matches("cannot encode %-inf", encode_error(-math.huge))
      assert.matches("cannot encode NaN", encode_error({ a = { 1, 0 / 0 } }))
      assert.matches("number out of range at byte 1$", decode_error("1e400"))
      assert.matches("number out of range at byte 2$", decode_error("[-1e999]"))
    end)
  end)

  describe("arrays and objects", function()
    it("keep empty and nested containers apart", function()
      for _, text in ipairs({
        "[]", "{}", "[[]]", "[{}]", "{\"a\":[]}", "{\"a\":{}}", "[[],{},[[]],{\"a\":[{}]}]",
        "[null,null]", "{\"a\":null}",
      }) do
        assert.are.equal(text, json.encode(json.decode(text)))
      end
    end)

    it("mark decoded arrays with array_mt, leave objects plain", function()
      local v = json.decode("[[],{}]")
      assert.are.equal(json.array_mt, getmetatable(v))
      assert.are.equal(json.array_mt, getmetatable(v[1]))
      assert.is_nil(getmetatable(v[2]))
      assert.is_true(json.is_array(v[1]))
      assert.is_false(json.is_array(v[2]))
      assert.is_false(json.is_array("x"))
    end)

    it("force the kind with json.array and json.object", function()
      assert.are.equal("[]", json.encode(json.array({})))
      assert.are.equal("[]", json.encode(json.array()))
      assert.are.equal("{}", json.encode(json.object({})))
      assert.are.equal("{}", json.encode(json.object()))
      assert.are.equal("[1,2]", json.encode(json.array({ 1, 2 })))
      local t = {}
      assert.are.equal(t, json.array(t))
      assert.are.equal(json.array_mt, getmetatable(t))
      json.object(t) -- switching markers is allowed
      assert.are.equal(json.object_mt, getmetatable(t))
    end)

    it("encode unmarked tables by their keys", function()
      assert.are.equal("{}", json.encode({}))
      assert.are.equal("[1,2,3]", json.encode({ 1, 2, 3 }))
      assert.are.equal("{\"a\":1}", json.encode({ a = 1 }))
      assert.are.equal("[\"x\"]", json.encode({ [1] = "x" }))
    end)

    it("raise clear errors for tables that are neither", function()
      assert.matches("mixes string and number keys", encode_error({ 1, 2, a = 3 }))
      assert.matches("mixes string and number keys", encode_error({ a = 1, [1] = 2 }))
      assert.matches("sparse array", encode_error({ 1, nil, 3 }))
      assert.matches("sparse array", encode_error({ [2] = "x" }))
      assert.matches("sparse array: index 0", encode_error({ [0] = "x", "y" }))
      assert.matches("non%-integer number key", encode_error({ [1.5] = "x" }))
      assert.matches("must be a string or an array index, got boolean", encode_error({ [true] = 1 }))
      assert.matches("must be a string or an array index, got table", encode_error({ [{}] = 1 }))
      assert.matches("object key must be a string, got number", encode_error(json.object({ 1 })))
      assert.matches("mixes string and number keys", encode_error({ list = { { 1, x = 2 } } }))
    end)

    it("refuse to mark a table that has another metatable", function()
      local t = setmetatable({}, {})
      assert.has_error(function() json.array(t) end, "json.array: table already has a metatable")
      assert.has_error(function() json.object(5) end, "json.object: expected a table, got number")
    end)

    it("sort keys bytewise when asked", function()
      local v = { b = 1, a = { z = true, y = false }, B = json.null, aa = json.array() }
      assert.are.equal('{"B":null,"a":{"y":false,"z":true},"aa":[],"b":1}',
        json.encode(v, { sort_keys = true }))
      assert.are.equal("{}", json.encode({}, { sort_keys = true }))
      assert.are.equal("{}", json.encode(json.object(), { sort_keys = true }))
      assert.matches("mixes", encode_error({ a = 1, 2 }, { sort_keys = true }))
      assert.is_true(deep_equal(v, json.decode(json.encode(v))))
    end)

    it("let the last of repeated keys win", function()
      assert.are.equal(2, json.decode('{"a":1,"a":2}').a)
    end)

    it("handle large arrays and objects", function()
      local arr, obj = {}, {}
      for i = 1, 100000 do
        arr[i] = i * 3
        obj["k" .. i] = i
      end
      assert.is_true(deep_equal(arr, json.decode(json.encode(arr))))
      assert.is_true(deep_equal(obj, json.decode(json.encode(obj))))
    end)
  end)

  describe("null", function()
    it("is a NULL light userdata equal to cjson.null", function()
      assert.are.equal("userdata", type(json.null))
      if has_cjson then
        assert.are.equal(cjson.null, json.null)
      else
        pending("lua-cjson not installed")
      end
    end)

    it("decodes and encodes everywhere without making holes", function()
      assert.are.equal(json.null, json.decode("null"))
      local arr = json.decode("[null,1,null]")
      assert.are.equal(3, #arr)
      assert.are.equal(json.null, arr[1])
      assert.are.equal(json.null, arr[3])
      assert.are.equal(json.null, json.decode('{"a":null}').a)
      assert.are.equal("null", json.encode(json.null))
      assert.are.equal("[null,1,null]", json.encode(arr))
      assert.are.equal("null", json.encode(nil))
    end)
  end)

  describe("other values", function()
    it("encode booleans, top-level scalars and strings with NUL", function()
      assert.are.equal("true", json.encode(true))
      assert.are.equal("false", json.encode(false))
      assert.are.equal('"a\\u0000b"', json.encode("a\0b"))
      assert.are.equal("a\0b", json.decode('"a\\u0000b"'))
      assert.are.equal(true, json.decode(" true "))
      assert.are.equal(false, json.decode("false"))
      assert.are.equal("x", json.decode('"x"'))
      assert.are.equal(42, json.decode("\t\r\n 42 \n"))
    end)

    it("refuse functions, userdata and threads", function()
      assert.matches("cannot encode a function value", encode_error(print))
      assert.matches("cannot encode a function value", encode_error({ f = print }))
      assert.matches("cannot encode a thread value", encode_error(coroutine.create(print)))
      assert.matches("cannot encode a userdata value", encode_error(io.stdout))
    end)

    it("check their arguments and options", function()
      assert.matches("expected a string, got number", decode_error(42))
      assert.matches("expected a string, got nil", decode_error(nil))
      assert.matches("bad argument #1", select(2, pcall(json.encode)))
      assert.matches("options must be a table", encode_error(1, "x"))
      assert.matches("unknown option 'depth'", encode_error(1, { depth = 3 }))
      assert.matches("unknown option 'sort_keys'", decode_error("1", { sort_keys = true }))
      assert.matches("sort_keys must be a boolean", encode_error(1, { sort_keys = 1 }))
      for _, bad in ipairs({ 0, -1, 1.5, 10001, "5" }) do
        assert.matches("max_depth must be an integer from 1 to 10000", encode_error(1, { max_depth = bad }))
        assert.matches("max_depth must be an integer from 1 to 10000", decode_error("1", { max_depth = bad }))
      end
    end)
  end)

  describe("strings and unicode", function()
    it("decode every escape", function()
      assert.are.equal("\"\\/\b\f\n\r\t", json.decode([["\"\\\/\b\f\n\r\t"]]))
      assert.are.equal("A\u{e9}\u{20ac}\u{ffff}", json.decode([["\u0041\u00e9\u20AC\uffff"]]))
      assert.are.equal("\u{1F600}", json.decode([["\ud83d\ude00"]]))
      assert.are.equal("\u{10000}\u{10FFFF}", json.decode([["\uD800\uDC00\uDBFF\uDFFF"]]))
      assert.are.equal("x\0y", json.decode([["x\u0000y"]]))
    end)

    it("escape control characters, quotes and backslashes on encode", function()
      assert.are.equal([["\"\\/\b\f\n\r\t"]], json.encode("\"\\/\b\f\n\r\t"))
      assert.are.equal('"\\u0001\\u001f\127"', json.encode("\1\31\127"))
      for c = 0, 255 do
        local s = string.char(c)
        if c < 0x80 then
          local text = json.encode(s)
          assert.are.equal(s, json.decode(text))
          if c < 0x20 then assert.matches('^"\\', text) end
        else
          assert.matches("invalid UTF%-8 in string at byte 1", encode_error(s))
        end
      end
    end)

    it("pass raw UTF-8 through unchanged", function()
      local s = "gr\u{fc}\u{df}e \u{4e16}\u{754c} \u{1F30D}"
      assert.are.equal('"' .. s .. '"', json.encode(s))
      assert.are.equal(s, json.decode('"' .. s .. '"'))
    end)

    it("round-trip random text over the BMP and the astral planes", function()
      local rng = make_rng(0xabc)
      for _ = 1, 500 do
        local cps, escaped = {}, {}
        for i = 1, rng() % 20 do
          local r = rng() % 4
          local cp
          if r == 0 then
            cp = rng() % 0x80
          elseif r == 1 then
            cp = 0x80 + rng() % 0x780
          elseif r == 2 then
            repeat cp = 0x800 + rng() % 0xF800 until cp < 0xD800 or cp > 0xDFFF
          else
            cp = 0x10000 + rng() % 0x100000
          end
          cps[i] = utf8.char(cp)
          if cp >= 0x10000 then
            local v = cp - 0x10000
            escaped[i] = string.format("\\u%04x\\u%04X", 0xD800 + (v >> 10), 0xDC00 + (v & 0x3FF))
          else
            escaped[i] = string.format("\\u%04x", cp)
          end
        end
        local s = table.concat(cps)
        assert.are.equal(s, json.decode(json.encode(s)))
        assert.are.equal(s, json.decode('"' .. table.concat(escaped) .. '"'))
        assert.are.equal(s, json.decode(json.encode({ [s] = s }))[s])
      end
    end)

    it("refuse invalid UTF-8 when encoding, values and keys alike", function()
      local bad = {
        ["\xff"] = 1, ["ab\xc3"] = 3, ["\xc3\x28"] = 1, ["\xc0\xaf"] = 1, ["\xe0\x80\xaf"] = 1,
        ["\xed\xa0\x80"] = 1, ["x\xf4\x90\x80\x80"] = 2, ["\xf8\x88\x80\x80\x80"] = 1, ["\x80"] = 1,
      }
      for s, pos in pairs(bad) do
        assert.matches("invalid UTF%-8 in string at byte " .. pos .. "$", encode_error(s))
        assert.matches("invalid UTF%-8", encode_error({ [s] = 1 }))
      end
    end)
  end)

  describe("malformed input", function()
    -- input, message, 1-based byte position
    local cases = {
      { "", "unexpected end of input", 1 },
      { "   ", "unexpected end of input", 4 },
      { "[", "unexpected end of input", 2 },
      { "[1,", "unexpected end of input", 4 },
      { "[1,]", "unexpected character ']'", 4 },
      { "[,1]", "unexpected character ','", 2 },
      { "[1 2]", "expected ',' or ']'", 4 },
      { "{", "unexpected end of input", 2 },
      { '{"a"', "unexpected end of input", 5 },
      { '{"a" 1}', "expected ':'", 6 },
      { '{"a":}', "unexpected character '}'", 6 },
      { '{"a":1,}', "expected a string key", 8 },
      { '{"a":1 "b":2}', "expected ',' or '}'", 8 },
      { "{1:2}", "expected a string key", 2 },
      { "{'a':1}", "expected a string key", 2 },
      { "]", "unexpected character ']'", 1 },
      { "tru", "unexpected end of input", 4 },
      { "trUe", "unexpected character 'U'", 3 },
      { "nulx", "unexpected character 'x'", 4 },
      { "False", "unexpected character 'F'", 1 },
      { '"abc', "unterminated string", 1 },
      { '["abc', "unterminated string", 2 },
      { '"a\\', "unterminated string", 1 },
      { '"a\\"', "unterminated string", 1 },
      { '"\\x"', "invalid escape", 2 },
      { '"\\U0041"', "invalid escape", 2 },
      { '"\\u12"', "invalid \\u escape", 2 },
      { '"\\u12G4"', "invalid \\u escape", 2 },
      { '"\\ud800"', "lone high surrogate \\uD800", 2 },
      { '"\\ud800\\u0041"', "lone high surrogate \\uD800", 2 },
      { '"\\udbff\\udbff"', "lone high surrogate \\uDBFF", 2 },
      { '"ab\\udc00"', "lone low surrogate \\uDC00", 4 },
      { '"\1"', "unescaped control character in string", 2 },
      { '"a\nb"', "unescaped control character in string", 3 },
      { '"a\\n\tb"', "unescaped control character in string", 5 },
      { '"\xff"', "invalid UTF-8", 2 },
      { '"ab\xc3"', "invalid UTF-8", 4 },
      { '"\xc3\x28"', "invalid UTF-8", 2 },
      { '"\xc0\xaf"', "invalid UTF-8", 2 },
      { '"\xed\xa0\x80"', "invalid UTF-8", 2 },
      { '"\xf4\x90\x80\x80"', "invalid UTF-8", 2 },
      { '"\\n\xff"', "invalid UTF-8", 4 },
      { '"12345678\xff"', "invalid UTF-8", 10 },
      { "01", "invalid number (leading zero)", 2 },
      { "-01", "invalid number (leading zero)", 3 },
      { "1.", "unexpected end of input", 3 },
      { "1.e5", "unexpected character 'e'", 3 },
      { "1e", "unexpected end of input", 3 },
      { "1e+", "unexpected end of input", 4 },
      { "1e+x", "unexpected character 'x'", 4 },
      { "-", "unexpected end of input", 2 },
      { "-a", "unexpected character 'a'", 2 },
      { "+1", "unexpected character '+'", 1 },
      { ".5", "unexpected character '.'", 1 },
      { "0x10", "unexpected trailing data", 2 },
      { "NaN", "unexpected character 'N'", 1 },
      { "Infinity", "unexpected character 'I'", 1 },
      { "-Infinity", "unexpected character 'I'", 2 },
      { "1e400", "number out of range", 1 },
      { "[1] x", "unexpected trailing data", 5 },
      { "1 2", "unexpected trailing data", 3 },
      { "[1]\0", "unexpected trailing data", 4 },
      { "\xef\xbb\xbf[]", "unexpected byte 0xEF", 1 },
      { "\1", "unexpected byte 0x01", 1 },
      { "[1,\xff]", "unexpected byte 0xFF", 4 },
    }

    it("fails with the position of the first offending byte", function()
      for _, case in ipairs(cases) do
        local text, message, pos = case[1], case[2], case[3]
        assert.are.equal("json.decode: " .. message .. " at byte " .. pos, decode_error(text),
          string.format("input %q", text))
      end
    end)

    it("never crashes on truncations of a valid document", function()
      local doc = json.encode({ a = { 1, 2.5, "x\u{e9}\\\"", json.null, true, { b = {} } }, c = "\u{1F600}" })
      for i = 0, #doc - 1 do
        local prefix = doc:sub(1, i)
        assert.matches("at byte %d+$", decode_error(prefix))
      end
    end)
  end)

  describe("depth", function()
    local function nested(n) return string.rep("[", n) .. string.rep("]", n) end

    it("allows 1000 levels by default and refuses the 1001st", function()
      assert.are.equal(nested(1000), json.encode(json.decode(nested(1000))))
      assert.are.equal("json.decode: maximum depth 1000 exceeded at byte 1001", decode_error(nested(1001)))
      assert.are.equal("json.decode: maximum depth 1000 exceeded at byte 3001",
        decode_error(string.rep('{"a":[', 501) .. "1"))
    end)

    it("honours max_depth for decode and encode", function()
      assert.are.equal("json.decode: maximum depth 3 exceeded at byte 4",
        decode_error("[[[[]]]]", { max_depth = 3 }))
      assert.is_table(json.decode("[[[]]]", { max_depth = 3 }))
      local v = { { { {} } } }
      assert.are.equal("[[[{}]]]", json.encode(v, { max_depth = 4 }))
      assert.matches("maximum depth 3 exceeded", encode_error(v, { max_depth = 3 }))
      local deep = {}
      for _ = 1, 1000 do deep = { deep } end
      assert.matches("maximum depth 1000 exceeded", encode_error(deep))
      local ok_deep = deep[1]
      assert.are.equal(nested(1000):gsub("%[%]", "{}", 1), json.encode(ok_deep))
      local deep_opts = { max_depth = 5000 }
      assert.are.equal(nested(5000), json.encode(json.decode(nested(5000), deep_opts), deep_opts))
    end)

    it("names cycles as such", function()
      local t = {}
      t[1] = t
      assert.matches("cycle detected", encode_error(t))
      local a, b = { name = "a" }, { name = "b" }
      a.next, b.next = b, a
      assert.matches("cycle detected", encode_error({ list = json.array({ a }) }))
      local shared = { 1 }
      assert.are.equal("[[1],[1]]", json.encode({ shared, shared })) -- shared, not cyclic
    end)
  end)

  describe("agreement with cjson where cjson is exact", function()
    local function random_value(rng, depth)
      local r = rng() % (depth > 3 and 5 or 8)
      if r == 0 then return rng() % 2000000 - 1000000 end
      if r == 1 then return rng() % 2 == 0 end
      if r == 2 then return json.null end
      if r == 3 then
        local out = {}
        for i = 1, rng() % 12 do
          local c = rng() % 100
          out[i] = c < 90 and string.char(32 + c) or ({ "\n", "\"", "\\", "\u{e9}", "\u{1F600}", "\t", "/",
            "\u{4e16}", "\1", "x" })[c - 89]
        end
        return table.concat(out)
      end
      if r == 4 then return rng() % 100 end
      if r == 5 or r == 6 then
        local arr = json.array()
        for i = 1, rng() % 6 do arr[i] = random_value(rng, depth + 1) end
        return arr
      end
      local obj = {}
      for i = 1, rng() % 6 do obj["k" .. i .. "_" .. rng() % 50] = random_value(rng, depth + 1) end
      return obj
    end

    it("decodes the same structures", function()
      if not has_cjson then return pending("lua-cjson not installed") end
      local rng = make_rng(0x1234)
      for _ = 1, 500 do
        local v = random_value(rng, 0)
        local text = json.encode(v)
        local ours, theirs = json.decode(text), cjson.decode(text)
        assert.is_true(deep_equal(ours, theirs, true), text)
        assert.is_true(deep_equal(v, ours), text)
        -- and what cjson writes, we read back the same
        assert.is_true(deep_equal(ours, json.decode(cjson.encode(theirs)), true), text)
      end
    end)
  end)

  describe("locale independence", function()
    -- A ',' decimal separator must change nothing. Debian's base image has no such locale,
    -- so one is compiled into a temporary directory and used by a child process (LOCPATH is
    -- read by the C library, which Lua cannot set for itself).
    it("encodes and decodes the same under a ',' decimal separator", function()
      local dir = os.tmpname()
      os.remove(dir)
      local made = os.execute("mkdir -p " .. dir .. " && localedef -i de_DE -f UTF-8 " .. dir
        .. "/de_DE.UTF-8 >/dev/null 2>&1")
      if not made then
        os.execute("rm -rf " .. dir)
        return pending("localedef or de_DE locale sources not available")
      end
      local script = dir .. "/child.lua"
      local f = assert(io.open(script, "w"))
      f:write(string.format("package.path = %q; package.cpath = %q\n", package.path, package.cpath), [[
        assert(os.setlocale("de_DE.UTF-8", "numeric"), "setlocale failed")
        assert(string.format("%.1f", 1.5) == "1,5", "locale has no ',' separator")
        local json = require "arango.json"
        local v = json.decode("[0.1,1.5e3,123456789.123456789e-5,1.7976931348623157e308,5e-324,2.5,1e-7]")
        io.write(json.encode(v), "\n")
        io.write(json.encode({ 0.1 + 0.2, 1.0, math.pi, 1e300, 2 ^ 53, -1e-310 }), "\n")
      ]])
      f:close()
      local p = assert(io.popen("LOCPATH=" .. dir .. " lua5.4 " .. script .. " 2>&1"))
      local out = p:read("a")
      p:close()
      os.execute("rm -rf " .. dir)
      assert.are.equal("[0.1,1500.0,1234.567891234568,1.7976931348623157e+308,5e-324,2.5,1e-07]\n"
        .. "[0.30000000000000004,1.0,3.141592653589793,1e+300,9007199254740992.0,-1e-310]\n", out)
    end)
  end)

  describe("round trips of mixed documents", function()
    it("are stable: encode(decode(text)) == text for canonical text", function()
      local texts = {
        '{"_key":"1","n":[1,-2,3.25,1e-07,null,true,false],"o":{"e":[],"f":{}},'
          .. '"s":"\\"\\\\\\n\\u0001\u{e9}"}',
        '[9223372036854775807,-9223372036854775808,0.1,1.0,-0.0,"",[[[[]]]]]',
      }
      for _, text in ipairs(texts) do
        assert.are.equal(text, json.encode(json.decode(text), { sort_keys = true }))
      end
    end)
  end)
end)
