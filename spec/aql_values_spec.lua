-- AQL value semantics: type order, comparison, conversions (devserver/aql/values.lua).
local json = require "arango.json"
local V = require "arango.devserver.aql.values"

local null = json.null
local A = V.array

describe("aql values", function()
  describe("type_name / type_order", function()
    it("names every type", function()
      assert.equal("null", V.type_name(null))
      assert.equal("null", V.type_name(nil))
      assert.equal("bool", V.type_name(false))
      assert.equal("number", V.type_name(1.5))
      assert.equal("string", V.type_name(""))
      assert.equal("array", V.type_name(A {}))
      assert.equal("object", V.type_name({}))
    end)

    it("orders null < bool < number < string < array < object", function()
      local seq = { null, false, 0, "", A {}, {} }
      for i = 1, #seq - 1 do
        assert.is_true(V.type_order(seq[i]) < V.type_order(seq[i + 1]))
      end
    end)
  end)

  describe("compare", function()
    -- the documented ordering table: every pair is "left < right"
    local less = {
      { null, false }, { null, true }, { null, 0 }, { null, "" }, { null, " " }, { null, "0" },
      { null, "abc" }, { null, A {} }, { null, {} },
      { false, true }, { false, 0 }, { false, "" }, { false, " " }, { false, "0" }, { false, "abc" },
      { false, A {} }, { false, {} },
      { true, 0 }, { true, "" }, { true, " " }, { true, "0" }, { true, "abc" }, { true, A {} }, { true, {} },
      { 0, "" }, { 0, " " }, { 0, "0" }, { 0, "abc" }, { 0, A {} }, { 0, {} },
      { "", " " }, { "", "0" }, { "", "abc" }, { "", A {} }, { "", {} },
      { A {}, {} },
      { A {}, A { 0 } }, { A { 1 }, A { 2 } }, { A { 1, 2 }, A { 2 } }, { A { 99, 99 }, A { 100 } },
      { A { false }, A { true } }, { A { false, 1 }, A { false, "" } },
      { -1, 0.5 }, { 1, 1.5 }, { "a", "b" }, { { a = 1 }, { a = 2 } }, { { b = 1 }, { a = 1 } },
    }
    for i, pair in ipairs(less) do
      it("pair " .. i .. ": " .. V.to_json(pair[1]) .. " < " .. V.to_json(pair[2]), function()
        assert.equal(-1, V.compare(pair[1], pair[2]))
        assert.equal(1, V.compare(pair[2], pair[1]))
      end)
    end

    it("treats missing array elements and object attributes as null", function()
      assert.equal(0, V.compare(A {}, A { null }))
      assert.equal(0, V.compare({}, { a = null }))
      assert.is_true(V.equals({ a = 1, b = A { 1, 2 } }, { b = A { 1, 2 }, a = 1 }))
    end)

    it("compares integers and floats numerically", function()
      assert.equal(0, V.compare(1, 1.0))
      assert.equal(-1, V.compare(2, 2.5))
    end)

    it("compares strings with a collation: case-insensitive first, lower case first", function()
      assert.equal(-1, V.compare("a", "B"))
      assert.equal(-1, V.compare("apple", "Apple"))
      assert.equal(-1, V.compare("Apple", "banana"))
      assert.equal(-1, V.compare("9", "a"))
      assert.equal(-1, V.compare(" ", "0"))
      assert.equal(-1, V.compare("e", "\u{E9}"))
      assert.equal(-1, V.compare("\u{E9}", "f"))
      assert.equal(0, V.compare("same", "same"))
    end)
  end)

  describe("truthy", function()
    it("follows AQL's boolean conversion", function()
      assert.is_false(V.truthy(null))
      assert.is_false(V.truthy(false))
      assert.is_false(V.truthy(0))
      assert.is_false(V.truthy(""))
      assert.is_true(V.truthy(0.1))
      assert.is_true(V.truthy(" "))
      assert.is_true(V.truthy(A {}))
      assert.is_true(V.truthy({}))
    end)
  end)

  describe("to_number", function()
    it("converts like TO_NUMBER", function()
      assert.equal(0, V.to_number(null))
      assert.equal(1, V.to_number(true))
      assert.equal(0, V.to_number(false))
      assert.equal(12, V.to_number(" 12 "))
      assert.equal(-0.5, V.to_number("-.5"))
      assert.equal(1000, V.to_number("1e3"))
      assert.equal(0, V.to_number("abc"))
      assert.equal(0, V.to_number("12abc"))
      assert.equal(0, V.to_number(""))
      assert.equal(0, V.to_number(A {}))
      assert.equal(5, V.to_number(A { "5" }))
      assert.equal(0, V.to_number(A { 1, 2 }))
      assert.equal(0, V.to_number({ a = 1 }))
    end)

    it("returns integers for integral values", function()
      assert.equal("integer", math.type(V.to_number("1e3")))
      assert.equal("integer", math.type(V.to_number(4.0)))
    end)
  end)

  describe("normalize_number", function()
    it("turns integral floats into integers and NaN/Inf into null", function()
      assert.equal("integer", math.type(V.normalize_number(3.0)))
      assert.equal("float", math.type(V.normalize_number(2.0 ^ 60)))
      assert.equal(null, V.normalize_number(0 / 0))
      assert.equal(null, V.normalize_number(math.huge))
      assert.equal(null, V.normalize_number(-math.huge))
      assert.equal(1.5, V.normalize_number(1.5))
    end)
  end)

  describe("to_string", function()
    it("prints numbers like ArangoDB", function()
      assert.equal("1e+21", V.to_string(1e21))
      assert.equal("0.1", V.to_string(0.1))
      assert.equal("1", V.to_string(1.0))
      assert.equal("-1.5e-7", V.to_string(-1.5e-7))
      assert.equal("0.0001", V.to_string(0.0001))
      assert.equal("123.456", V.to_string(123.456))
      assert.equal("0.3333333333333333", V.to_string(1 / 3))
    end)

    it("converts the other types", function()
      assert.equal("", V.to_string(null))
      assert.equal("true", V.to_string(true))
      assert.equal("false", V.to_string(false))
      assert.equal("[1,2,\"a\"]", V.to_string(A { 1, 2, "a" }))
      assert.equal("{\"a\":null,\"b\":[]}", V.to_string({ b = A {}, a = null }))
      assert.equal("{}", V.to_string({}))
    end)
  end)

  describe("to_array / attribute / deep_copy", function()
    it("converts to arrays", function()
      assert.same({}, V.to_array(null))
      assert.is_true(V.is_array(V.to_array(null)))
      assert.same({ 1 }, V.to_array(1))
      local arr = A { 1, 2 }
      assert.equal(arr, V.to_array(arr))
      assert.same({ 1, 2 }, V.to_array({ a = 1, b = 2 }))
    end)

    it("reads attributes with null for anything missing", function()
      assert.equal(1, V.attribute({ a = 1 }, "a"))
      assert.equal(null, V.attribute({ a = 1 }, "b"))
      assert.equal(null, V.attribute(A { 1 }, "1"))
      assert.equal(null, V.attribute("str", "a"))
    end)

    it("copies deeply, keeping array markers", function()
      local src = { a = A { { b = 1 } } }
      local copy = V.deep_copy(src)
      assert.are_not.equal(src.a, copy.a)
      assert.is_true(V.is_array(copy.a))
      copy.a[1].b = 2
      assert.equal(1, src.a[1].b)
    end)
  end)

  describe("sort keys", function()
    -- scalars of every kind, including collation corner cases (case, accents, prefixes)
    local samples = { null, false, true, -math.huge, -1e300, -2, -1.5, -0.0, 0, 0.5, 1, 2, 2.5, 1e15,
      2 ^ 53, "", " ", "!", "0", "9", "10", "a", "A", "ab", "Ab", "aB", "b", "\u{E4}", "\u{C4}", "ae",
      "\u{E4}b", "stra\u{DF}e", "strasse", "z", "Z", "zz", "\u{4E2D}", "a\0b", "a\0", "x y", "x-y" }

    it("orders scalars exactly like V.compare", function()
      for _, a in ipairs(samples) do
        for _, b in ipairs(samples) do
          local c = V.compare(a, b)
          local ka, kb = V.sort_key(a), V.sort_key(b)
          local kc = ka == kb and 0 or (ka < kb and -1 or 1)
          if c == 0 then
            assert.equal(0, kc, string.format("%q vs %q", tostring(a), tostring(b)))
          else
            assert.equal(c, kc, string.format("%q vs %q", tostring(a), tostring(b)))
          end
        end
      end
    end)

    it("sorts all-ascending and all-descending keys with ties in input order", function()
      local executor = require "arango.devserver.aql.executor"
      local tuples = {}
      for i = 1, 120 do tuples[i] = { samples[(i * 11) % #samples + 1], i % 2 } end
      for _, dir in ipairs({ true, false }) do
        local perm = executor.sort_permutation(tuples, #tuples, 2, { dir, dir })
        assert.equal(#tuples, #perm)
        for i = 2, #perm do
          local x, y = tuples[perm[i - 1]], tuples[perm[i]]
          local c = V.compare(x[1], y[1])
          if c == 0 then c = V.compare(x[2], y[2]) end
          if not dir then c = -c end
          if c == 0 then c = perm[i - 1] < perm[i] and -1 or 1 end
          assert.is_true(c < 0)
        end
      end
    end)

    it("leaves arrays, objects and huge integers to the comparator", function()
      assert.is_nil(V.sort_key(A { 1 }))
      assert.is_nil(V.sort_key({ a = 1 }))
      assert.is_nil(V.sort_key(math.maxinteger))
    end)

    it("sorts multi-key tuples, descending keys and ties like a comparator would", function()
      local executor = require "arango.devserver.aql.executor"
      local tuples = {}
      for i = 1, 200 do
        tuples[i] = { samples[(i * 7) % #samples + 1], samples[(i * 13) % #samples + 1], i % 3 }
      end
      local asc = { true, false, true }
      local perm = executor.sort_permutation(tuples, #tuples, 3, asc)
      -- with a non-scalar in the data the comparator path runs; both must agree
      local mixed = {}
      for i, t in ipairs(tuples) do mixed[i] = { t[1], t[2], t[3] } end
      mixed[#mixed + 1] = { A { 1 }, 0, 0 }
      local perm2 = executor.sort_permutation(mixed, #mixed, 3, asc)
      local k = 0
      for _, p in ipairs(perm2) do
        if p <= #tuples then k = k + 1; assert.equal(perm[k], p) end
      end
      for i = 2, #perm do
        local x, y = tuples[perm[i - 1]], tuples[perm[i]]
        local c = V.compare(x[1], y[1])
        if c == 0 then c = -V.compare(x[2], y[2]) end
        if c == 0 then c = V.compare(x[3], y[3]) end
        if c == 0 then c = perm[i - 1] < perm[i] and -1 or 1 end
        assert.is_true(c < 0)
      end
    end)
  end)
end)
