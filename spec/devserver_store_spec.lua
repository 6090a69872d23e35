-- Unit specs of the devserver's data model (devserver/store), without HTTP.
local json = require "arango.json"
local store = require "arango.devserver.store"
local rev = require "arango.devserver.store.rev"
local keys = require "arango.devserver.store.keys"
local schema = require "arango.devserver.store.schema"
local indexes = require "arango.devserver.store.indexes"

-- Runs fn and returns the devserver error it raised (fails when it raised none).
local function raised(fn, ...)
  local ok, err = pcall(fn, ...)
  assert.is_false(ok, "expected an error")
  assert.is_table(err, "expected an error object, got " .. tostring(err))
  return err
end

local function new_db()
  local server = store.new{ sweep = false }
  return server, server:database("_system")
end

describe("devserver store: revisions", function()
  it("encodes with ArangoDB's alphabet and round-trips", function()
    for _, v in ipairs{ 1, 63, 64, 1 << 40, (1785857303952 << 20) + 5 } do
      assert.equal(v, rev.decode(rev.encode(v)))
    end
    assert.equal("_", rev.encode(1))
    assert.equal("_-", rev.encode(64))
    assert.is_nil(rev.decode("not a rev!"))
  end)

  it("hands out strictly increasing, distinct revisions", function()
    local prev = rev.next_value()
    local seen = {}
    for _ = 1, 2000 do
      local v = rev.next_value()
      assert.is_true(v > prev)
      local s = rev.encode(v)
      assert.is_nil(seen[s])
      seen[s] = true
      prev = v
    end
  end)

  it("stays above witnessed values", function()
    local big = rev.next_value() + (1 << 30)
    rev.witness(big)
    assert.is_true(rev.next_value() > big)
  end)
end)

describe("devserver store: keys", function()
  it("validates user keys like ArangoDB", function()
    assert.is_true(keys.valid("abc-_:.@()+,=;$!*'%"))
    assert.is_false(keys.valid(""))
    assert.is_false(keys.valid("a/b"))
    assert.is_false(keys.valid("a b"))
    assert.is_false(keys.valid(("x"):rep(255)))
    assert.is_true(keys.valid(("x"):rep(254)))
    assert.is_false(keys.valid(12))
  end)

  it("generates traditional keys above numeric user keys", function()
    local t = 10
    local g = keys.new({}, function() t = t + 1 return t end)
    g:track("5000")
    assert.equal("5001", g:generate())
  end)

  it("generates autoincrement keys with offset and increment", function()
    local g = keys.new({ type = "autoincrement", offset = 10, increment = 5 })
    local k1 = g:generate()
    g:track(k1)
    local k2 = g:generate()
    assert.equal("10", k1)
    assert.equal("15", k2)
    local e = raised(g.check_user_key, g, "abc")
    assert.equal(1221, e.num)
  end)

  it("generates padded and uuid keys", function()
    local t = 0
    local p = keys.new({ type = "padded" }, function() t = t + 1 return t end)
    assert.equal("0000000000000001", p:generate())
    local u = keys.new({ type = "uuid" })
    assert.truthy(u:generate():find("^%x+%-%x+%-4%x+%-%x+%-%x+$"))
    assert.is_nil(u:options().lastValue)
  end)

  it("rejects unknown generators and bad increments", function()
    assert.equal(1232, raised(keys.new, { type = "nope" }).num)
    assert.equal(10, raised(keys.new, { type = "autoincrement", increment = 0 }).num)
  end)

  it("refuses user keys when allowUserKeys is false", function()
    local g = keys.new({ allowUserKeys = false }, function() return 1 end)
    assert.equal(1222, raised(g.check_user_key, g, "abc").num)
  end)
end)

-- Schema `pattern`s run on the AQL regular expression engine (devserver/aql/functions/regex.lua);
-- these cases pin what the schema validator needs from it.
describe("devserver store: schema pattern", function()
  local function matches(pattern, value)
    local s = schema.normalize{ rule = { properties = { v = { type = "string", pattern = pattern } } } }
    return schema.valid(s, { v = value })
  end

  it("matches the JSON Schema pattern subset (unanchored, like RegExp.test)", function()
    assert.is_true(matches("^[a-z]+$", "abc"))
    assert.is_false(matches("^[a-z]+$", "ab1"))
    assert.is_true(matches("^\\d{3}-\\d{4}$", "555-1234"))
    assert.is_true(matches("colou?r", "the color"))
    assert.is_true(matches("^(?:foo|bar)+$", "foobarfoo"))
    assert.is_false(matches("^a{2,3}$", "aaaa"))
  end)

  -- JSON Schema patterns are ECMAScript, unlike AQL's ICU regular expressions.
  it("uses ECMAScript semantics: $ only at the end, ASCII \\w and \\b, no ICU-only syntax", function()
    assert.is_false(matches("^[A-Z]\\w*$", "Ab\n"))
    assert.is_true(matches("^[A-Z]\\w*$", "Ab"))
    assert.is_false(matches("^\\w+$", "caf\u{E9}"))
    assert.is_true(matches("\\bcaf", "\u{E9}caf"))  -- é is not a word character here
    assert.equal(1621, raised(schema.normalize, { rule = { pattern = "(?<n>a)" } }).num)
    assert.equal(1621, raised(schema.normalize, { rule = { pattern = "a++" } }).num)
    -- and AQL keeps ICU's rules
    local regex = require "arango.devserver.aql.functions.regex"
    assert.is_true(regex.test(regex.compile("^[A-Z]\\w*$"), "Ab\n"))
    assert.is_true(regex.test(regex.compile("^\\w+$"), "caf\u{E9}"))
  end)

  it("applies patternProperties to attribute names", function()
    local s = schema.normalize{ rule = { patternProperties = { ["^n_"] = { type = "number" } } } }
    assert.is_true(schema.valid(s, { n_a = 1, other = "x" }))
    assert.is_false(schema.valid(s, { n_a = "1" }))
  end)

  it("refuses an invalid pattern (1621)", function()
    assert.equal(1621, raised(schema.normalize, { rule = { pattern = "(" } }).num)
    assert.equal(1621, raised(schema.normalize, { rule = { pattern = "[a" } }).num)
    assert.equal(1621, raised(schema.normalize, { rule = { pattern = "\\c" } }).num)
  end)
end)

describe("devserver store: schema", function()
  local s = schema.normalize{ rule = {
    type = "object",
    properties = { name = { type = "string", minLength = 2, pattern = "^[A-Z]" },
      age = { type = "integer", minimum = 0, maximum = 150 },
      tags = { type = "array", items = { type = "string" }, maxItems = 2 },
      kind = { enum = { "a", "b" } } },
    required = { "name" },
    additionalProperties = false,
  }, level = "strict", message = "bad doc" }

  it("accepts valid documents (system attributes are not seen by the rule)", function()
    assert.is_true(schema.valid(s, { _key = "k", _id = "c/k", _rev = "x", name = "Al", age = 3,
      tags = json.array{ "x" }, kind = "a" }))
  end)

  it("rejects each kind of violation", function()
    assert.is_false(schema.valid(s, { age = 3 }))                       -- required
    assert.is_false(schema.valid(s, { name = 5 }))                      -- type
    assert.is_false(schema.valid(s, { name = "A" }))                    -- minLength
    assert.is_false(schema.valid(s, { name = "al" }))                   -- pattern
    assert.is_false(schema.valid(s, { name = "Al", age = 1.5 }))        -- integer
    assert.is_false(schema.valid(s, { name = "Al", age = 200 }))        -- maximum
    assert.is_false(schema.valid(s, { name = "Al", tags = json.array{ 1 } }))          -- items
    assert.is_false(schema.valid(s, { name = "Al", tags = json.array{ "a", "b", "c" } })) -- maxItems
    assert.is_false(schema.valid(s, { name = "Al", kind = "z" }))       -- enum
    assert.is_false(schema.valid(s, { name = "Al", extra = 1 }))        -- additionalProperties
  end)

  it("applies levels", function()
    local new = schema.normalize{ rule = { required = { "a" } }, level = "new", message = "m" }
    assert.has_no.errors(function() schema.check(new, "update", {}, {}) end)
    assert.equal(1620, raised(schema.check, new, "insert", {}).num)
    local moderate = schema.normalize{ rule = { required = { "a" } }, level = "moderate", message = "m" }
    assert.has_no.errors(function() schema.check(moderate, "update", {}, {}) end) -- old was invalid
    assert.equal(1620, raised(schema.check, moderate, "update", {}, { a = 1 }).num)
  end)

  it("validates the schema property itself (1621)", function()
    assert.equal(1621, raised(schema.normalize, { rule = 5 }).num)
    assert.equal(1621, raised(schema.normalize, { rule = {}, level = "sometimes" }).num)
    assert.is_nil(schema.normalize(json.null))
  end)
end)

describe("devserver store: databases and collections", function()
  it("creates _system with its system collections", function()
    local server, db = new_db()
    assert.same({ "_system" }, server:databases())
    assert.truthy(db:collection("_users"))
    assert.truthy(db:collection("_graphs"))
    assert.equal(db:collection("_users"), db:collection(3))
  end)

  it("creates databases with their system collections and refuses bad names", function()
    local server = store.new{ sweep = false }
    local db = server:create_database("shop")
    assert.truthy(db:collection("_graphs"))
    assert.truthy(db:collection("_analyzers"))
    assert.is_nil(db:collection("_users"))
    assert.equal(1207, raised(server.create_database, server, "shop").num)
    assert.equal(1229, raised(server.create_database, server, "1bad").num)
    assert.equal(11, raised(server.drop_database, server, "_system").num)
    server:drop_database("shop")
    assert.equal(1228, raised(server.drop_database, server, "shop").num)
  end)

  it("validates collection names and properties", function()
    local _, db = new_db()
    assert.equal(1208, raised(db.create_collection, db, "1abc").num)
    assert.equal(1208, raised(db.create_collection, db, "_abc").num)
    assert.equal(1208, raised(db.create_collection, db, "a b").num)
    assert.equal(1218, raised(db.create_collection, db, "c", { type = 7 }).num)
    assert.equal(10, raised(db.create_collection, db, "c", { waitForSync = "yes" }).num)
    db:create_collection("c")
    assert.equal(1207, raised(db.create_collection, db, "c").num)
    assert.truthy(db:create_collection("_mine", { isSystem = true }).is_system)
  end)

  it("renames and drops collections (system ones need is_system)", function()
    local _, db = new_db()
    local c = db:create_collection("a")
    c:insert({ _key = "k" })
    db:rename_collection("a", "b")
    assert.is_nil(db:collection("a"))
    assert.equal("b/k", db:collection("b"):get("k")._id)
    assert.equal(11, raised(db.drop_collection, db, "_graphs").num)
    db:drop_collection("b")
    assert.equal(1203, raised(db.drop_collection, db, "b").num)
  end)
end)

describe("devserver store: document operations", function()
  local db, c
  before_each(function()
    local _
    _, db = new_db()
    c = db:create_collection("c")
  end)

  it("inserts with generated keys and revisions, and returns new/old on request", function()
    local r = c:insert({ a = 1 }, { returnNew = true })
    assert.truthy(r._key:find("^%d+$"))
    assert.equal("c/" .. r._key, r._id)
    assert.equal(1, r.new.a)
    assert.equal(r._rev, c:get(r._key)._rev)
    assert.equal(c:get(r._key), c:get("c/" .. r._key))
    assert.is_nil(c:get("other/" .. r._key))
  end)

  it("refuses duplicate keys unless an overwrite mode says otherwise", function()
    c:insert({ _key = "k", a = 1, b = 1 })
    local e = raised(c.insert, c, { _key = "k" })
    assert.equal(409, e.status)
    assert.equal(1210, e.num)
    assert.truthy(e.message:find("conflicting key: k", 1, true))
    local _, outcome = c:insert({ _key = "k", a = 9 }, { overwriteMode = "ignore" })
    assert.equal("ignored", outcome)
    assert.equal(1, c:get("k").a)
    local r = c:insert({ _key = "k", a = 2 }, { overwriteMode = "update", returnOld = true })
    assert.equal(1, r.old.a)
    assert.same({ 2, 1 }, { c:get("k").a, c:get("k").b })
    c:insert({ _key = "k", a = 3 }, { overwrite = true })
    assert.same({ 3 }, { c:get("k").a, c:get("k").b })
    assert.equal(10, raised(c.insert, c, { _key = "k" }, { overwriteMode = "bogus" }).num)
  end)

  it("updates with keepNull and mergeObjects, replaces, removes", function()
    c:insert({ _key = "k", a = 1, o = { x = 1, y = 2 } })
    c:update("k", { b = json.null, o = { x = json.null, z = 3 } }, { keepNull = false })
    local d = c:get("k")
    assert.is_nil(d.b)
    assert.same({ y = 2, z = 3 }, d.o)
    c:update("k", { o = { q = 1 } }, { mergeObjects = false })
    assert.same({ q = 1 }, c:get("k").o)
    c:update("k", { n = json.null })
    assert.equal(json.null, c:get("k").n)
    local r = c:replace("k", { only = true })
    assert.same({ "k", true }, { c:get("k")._key, c:get("k").only })
    assert.is_nil(c:get("k").a)
    assert.truthy(r._oldRev)
    c:remove("k")
    assert.is_nil(c:get("k"))
    assert.equal(1202, raised(c.remove, c, "k").num)
    assert.equal(1202, raised(c.update, c, "k", {}).num)
  end)

  it("checks revisions (ifMatch, ignoreRevs=false) with 412 and the current _rev", function()
    local r = c:insert({ _key = "k" })
    local e = raised(c.update, c, "k", { a = 1 }, { ifMatch = "_wrong---" })
    assert.same({ 412, 1200, r._rev }, { e.status, e.num, e.extra._rev })
    e = raised(c.remove, c, { _key = "k", _rev = "_wrong---" }, { ignoreRevs = false })
    assert.equal(1200, e.num)
    assert.has_no.errors(function() c:remove({ _key = "k", _rev = "_wrong---" }) end) -- ignoreRevs default
  end)

  it("skips outdated writes with versionAttribute", function()
    c:insert({ _key = "k", v = 5, x = 1 })
    local _, outcome = c:update("k", { v = 4, x = 2 }, { versionAttribute = "v" })
    assert.equal("ignored", outcome)
    assert.equal(1, c:get("k").x)
    c:replace("k", { v = 6, x = 3 }, { versionAttribute = "v" })
    assert.equal(3, c:get("k").x)
    c:insert({ _key = "k", v = 6, x = 4 }, { overwriteMode = "replace", versionAttribute = "v" })
    assert.equal(3, c:get("k").x)
  end)

  it("validates keys and document types", function()
    assert.equal(1221, raised(c.insert, c, { _key = 111 }).num)
    assert.equal(1221, raised(c.insert, c, { _key = "a/b" }).num)
    assert.equal(1227, raised(c.insert, c, json.array{ 1 }).num)
    assert.equal(0, c:count())
  end)

  it("validates edges", function()
    local e = db:create_collection("e", { type = 3 })
    assert.equal(1233, raised(e.insert, e, { _from = "v/1" }).num)
    assert.equal(1233, raised(e.insert, e, { _from = "v/1", _to = "bad" }).num)
    e:insert({ _key = "1", _from = "v/a", _to = "v/b" })
    e:insert({ _key = "2", _from = "v/b", _to = "v/a" })
    e:insert({ _key = "3", _from = "v/c", _to = "v/b" })
    local function keys_of(list)
      local out = {}
      for i, d in ipairs(list) do out[i] = d._key end
      return out
    end
    assert.same({ "1", "3" }, keys_of(e:edges("v/b", "in")))
    assert.same({ "2" }, keys_of(e:edges("v/b", "out")))
    assert.same({ "1", "2", "3" }, keys_of(e:edges("v/b", "any")))
    e:update("3", { _to = "v/c" })
    assert.same({ "1" }, keys_of(e:edges("v/b", "in")))
    assert.equal(1233, raised(e.update, e, "3", { _to = 5 }).num)
  end)

  it("iterates in insertion order and tolerates writes while iterating", function()
    for i = 1, 200 do c:insert({ _key = tostring(i) }) end
    local seen = 0
    for d in c:iterate() do
      seen = seen + 1
      c:remove(d._key)
      c:insert({ _key = "new" .. d._key })
    end
    assert.equal(200, seen)
    assert.equal(200, c:count())
    assert.truthy(c:get("new1"))
  end)

  it("enforces schemas on write and changes nothing on violation", function()
    local s = db:create_collection("s", { schema = { rule = { properties = { n = { type = "number" } },
      required = { "n" } }, level = "moderate", message = "need n" } })
    s:insert({ _key = "ok", n = 1 })
    local e = raised(s.insert, s, { _key = "bad", n = "x" })
    assert.same({ 400, 1620, "need n" }, { e.status, e.num, e.message })
    assert.is_nil(s:get("bad"))
    assert.equal(1620, raised(s.update, s, "ok", { n = "x" }).num)
    assert.equal(1, s:get("ok").n)
  end)

  it("computes values through the registered evaluator", function()
    store.set_computed_evaluator(function(expr, doc)
      assert.equal("RETURN 42", expr)
      return doc.a and doc.a * 2 or 42
    end)
    local cc = db:create_collection("cv", { computedValues = { { name = "x", expression = "RETURN 42",
      overwrite = true, computeOn = { "insert" } } } })
    cc:insert({ _key = "k", a = 5 })
    assert.equal(10, cc:get("k").x)
    cc:update("k", { a = 1 })
    assert.equal(10, cc:get("k").x) -- not computed on update
    store.set_computed_evaluator(nil)
    assert.equal(10, raised(db.create_collection, db, "cv2",
      { computedValues = { { name = "_key", expression = "RETURN 1", overwrite = true } } }).num)
  end)

  it("computes checksums that depend on keys, revisions and data as asked", function()
    local a = c:checksum(false, false)
    c:insert({ _key = "k", v = 1 })
    local k1, r1, d1 = c:checksum(false, false), c:checksum(true, false), c:checksum(false, true)
    assert.are_not.equal(a, k1)
    c:update("k", { v = 1 })
    assert.equal(k1, c:checksum(false, false))
    assert.are_not.equal(r1, c:checksum(true, false))
    assert.equal(d1, c:checksum(false, true))
    c:update("k", { v = 2 })
    assert.are_not.equal(d1, c:checksum(false, true))
  end)

  it("truncates", function()
    c:insert({})
    c:truncate()
    assert.equal(0, c:count())
  end)
end)

describe("devserver store: indexes", function()
  local c
  before_each(function()
    local _, db = new_db()
    c = db:create_collection("c")
  end)

  it("validates definitions", function()
    assert.equal(10, raised(c.ensure_index, c, { type = "nope", fields = { "a" } }).num)
    assert.equal(10, raised(c.ensure_index, c, { type = "persistent", fields = {} }).num)
    assert.equal(10, raised(c.ensure_index, c, { type = "ttl", fields = { "a" } }).num)
    assert.equal(10, raised(c.ensure_index, c, { type = "geo", fields = { "a", "b", "c" } }).num)
    assert.equal(10, raised(c.ensure_index, c, { type = "mdi", fields = { "a" } }).num)
    assert.equal(10, raised(c.ensure_index, c, { type = "vector", fields = { "v" },
      params = { metric = "cosine", dimension = 0, nLists = 1 } }).num)
    assert.equal(1, #c.indexes)
  end)

  it("returns an existing identical index instead of a new one", function()
    local a, new_a = c:ensure_index{ type = "hash", fields = { "x" } }
    local b, new_b = c:ensure_index{ type = "persistent", fields = { "x" } }
    assert.is_true(new_a)
    assert.is_false(new_b)
    assert.equal(a, b)
    assert.equal("persistent", a:describe("c").type)
    assert.truthy(a.name:find("^idx_%d+$"))
    local _, new_c = c:ensure_index{ type = "persistent", fields = { "x" }, unique = true }
    assert.is_true(new_c)
    assert.equal(1207, raised(c.ensure_index, c, { type = "persistent", fields = { "y" },
      name = a.name }).num)
  end)

  it("enforces unique indexes, with the conflicting key in the message", function()
    local idx = c:ensure_index{ type = "persistent", fields = { "a" }, unique = true, name = "ua" }
    c:insert({ _key = "one", a = 1 })
    local e = raised(c.insert, c, { _key = "two", a = 1 })
    assert.same({ 409, 1210 }, { e.status, e.num })
    assert.equal("unique constraint violated - in index ua of type persistent over 'a'; conflicting key: one",
      e.message)
    assert.is_nil(c:get("two"))
    -- non-sparse: two documents without the attribute collide on null
    c:insert({ _key = "n1" })
    assert.equal(1210, raised(c.insert, c, { _key = "n2" }).num)
    -- updating a document to its own value is fine; to another's is not
    c:update("one", { a = 1, b = 2 })
    c:insert({ _key = "three", a = 3 })
    assert.equal(1210, raised(c.update, c, "three", { a = 1 }).num)
    assert.equal(3, c:get("three").a)
    -- removing frees the value
    c:remove("one")
    c:update("three", { a = 1 })
    assert.equal("three", idx:lookup({ a = 1 }))
  end)

  it("skips documents with null or missing values in sparse unique indexes", function()
    c:ensure_index{ type = "persistent", fields = { "a", "b" }, unique = true, sparse = true }
    c:insert({ a = 1 })
    c:insert({ a = 1 })
    c:insert({ a = 1, b = json.null })
    c:insert({ a = 1, b = 2 })
    assert.equal(1210, raised(c.insert, c, { a = 1, b = 2 }).num)
    c:insert({ a = 1.5, b = 2 })
    assert.equal(1210, raised(c.insert, c, { a = 1.0, b = 2 }).num) -- 1 and 1.0 are equal
  end)

  it("refuses a unique index over existing duplicates and creates nothing", function()
    c:insert({ a = 1 })
    c:insert({ a = 1 })
    assert.equal(1210, raised(c.ensure_index, c, { type = "persistent", fields = { "a" },
      unique = true }).num)
    assert.equal(1, #c.indexes)
    c:insert({ a = 1 })
  end)

  it("indexes array elements with [*]", function()
    c:ensure_index{ type = "persistent", fields = { "tags[*]" }, unique = true }
    c:insert({ _key = "a", tags = json.array{ "x", "y" } })
    local e = raised(c.insert, c, { tags = json.array{ "z", "y" } })
    assert.truthy(e.message:find("conflicting key: a", 1, true))
    c:insert({ tags = json.array{ "z", "z" } }) -- deduplicated within one document
  end)

  it("expires documents through a ttl index, lazily and by sweep", function()
    local now = os.time()
    c:ensure_index{ type = "ttl", fields = { "at" }, expireAfter = 10 }
    c:insert({ _key = "old", at = now - 100 })
    c:insert({ _key = "iso", at = "2001-01-01T00:00:00Z" })
    c:insert({ _key = "fresh", at = now + 1000 })
    c:insert({ _key = "none", at = "not a date" })
    assert.is_nil(c:get("old"))      -- lazily expired on access
    assert.is_nil(c:get("iso"))
    assert.truthy(c:get("fresh"))
    assert.truthy(c:get("none"))
    assert.equal(1, c:expire(now + 2000))
    assert.is_nil(c:get("fresh"))
    assert.equal(1, c:count())
  end)

  it("parses ISO dates independently of the local time zone", function()
    assert.equal(0, indexes.iso_seconds("1970-01-01T00:00:00Z"))
    assert.equal(951782400, indexes.iso_seconds("2000-02-29"))
    assert.equal(951782400 - 3600, indexes.iso_seconds("2000-02-29T00:00:00+01:00"))
    assert.equal(86400.5, indexes.iso_seconds("1970-01-02T00:00:00.5Z"))
  end)

  it("drops indexes but never the primary one", function()
    local idx = c:ensure_index{ type = "persistent", fields = { "a" }, unique = true }
    c:drop_index(idx.id)
    assert.equal(1212, raised(c.drop_index, c, idx.id).num)
    assert.equal(11, raised(c.drop_index, c, 0).num)
    c:insert({ a = 1 })
    c:insert({ a = 1 })
  end)
end)
