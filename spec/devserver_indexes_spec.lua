-- HTTP-level specs of the devserver's index endpoints and index semantics on write.
local json = require "arango.json"
local ds = require "spec.support.devserver"

describe("devserver indexes over HTTP", function()
  local srv, req

  setup(function()
    srv = ds.start{ auth = false }
    req = ds.client(srv.url)
    req("POST", "/_api/collection", { body = { name = "ix" } })
  end)
  teardown(function() if srv then srv.stop() end end)

  local function create(def, col)
    return req("POST", "/_api/index?collection=" .. (col or "ix"), { body = def })
  end

  it("lists the primary index and gets it by id", function()
    local res = req("GET", "/_api/index/ix/0")
    assert.same({ 200, "primary", "ix/0", true }, { res.status, res.json.type, res.json.id, res.json.unique })
    res = req("GET", "/_api/index?collection=ix")
    assert.equal("primary", res.json.indexes[1].type)
    assert.truthy(res.json.identifiers["ix/0"])
    assert.same({ 400, 1204 }, { req("GET", "/_api/index").status, req("GET", "/_api/index").json.errorNum })
    assert.equal(404, req("GET", "/_api/index?collection=nope").status)
  end)

  it("creates each index type with ArangoDB's attributes and is idempotent", function()
    local defs = {
      { type = "persistent", fields = json.array{ "a" }, sparse = true },
      { type = "hash", fields = json.array{ "h" } },
      { type = "ttl", fields = json.array{ "t" }, expireAfter = 3600 },
      { type = "geo", fields = json.array{ "loc" }, geoJson = true },
      { type = "fulltext", fields = json.array{ "text" } },
      { type = "inverted", fields = json.array{ "a", { name = "b", analyzer = "text_en" } } },
      { type = "mdi", fields = json.array{ "x", "y" }, fieldValueTypes = "double" },
      { type = "mdi-prefixed", fields = json.array{ "x" }, prefixFields = json.array{ "p" },
        fieldValueTypes = "double" },
      { type = "vector", fields = json.array{ "v" }, params = { metric = "cosine", dimension = 3,
        nLists = 1 } },
    }
    for _, d in ipairs(defs) do
      local res = create(d)
      assert.equal(201, res.status, d.type .. ": " .. tostring(res.body))
      assert.is_true(res.json.isNewlyCreated)
      assert.truthy(res.json.id:find("^ix/%d+$"))
      assert.truthy(res.json.name:find("^idx_%d+$"))
      local again = create(d)
      assert.same({ 200, false, res.json.id }, { again.status, again.json.isNewlyCreated, again.json.id })
    end
    local res = req("GET", "/_api/index?collection=ix")
    assert.equal(#defs + 1, #res.json.indexes)
    local by_type = {}
    for _, i in ipairs(res.json.indexes) do by_type[i.type] = i end
    assert.equal(2, by_type.fulltext.minLength)
    assert.equal(3600, by_type.ttl.expireAfter)
    assert.is_true(by_type.geo.geoJson)
    assert.same({ "p" }, by_type["mdi-prefixed"].prefixFields)
    assert.equal("persistent", by_type.persistent.type)
  end)

  it("rejects bad definitions with 400 and creates nothing", function()
    local before = #req("GET", "/_api/index?collection=ix").json.indexes
    for _, d in ipairs{ { type = "bogus", fields = json.array{ "a" } }, { type = "persistent" },
      { type = "ttl", fields = json.array{ "q" } }, { type = "mdi", fields = json.array{ "x" } },
      { type = "persistent", fields = json.array{ 5 } } } do
      local res = create(d)
      assert.equal(400, res.status)
    end
    assert.equal(400, req("POST", "/_api/index?collection=ix", { body = "[" }).status)
    assert.equal(before, #req("GET", "/_api/index?collection=ix").json.indexes)
  end)

  it("enforces unique and sparse indexes on write", function()
    req("POST", "/_api/collection", { body = { name = "uq" } })
    local res = create({ type = "persistent", fields = json.array{ "email" }, unique = true, sparse = true,
      name = "by_email" }, "uq")
    assert.equal(201, res.status)
    assert.equal("by_email", res.json.name)
    req("POST", "/_api/document/uq", { body = { _key = "a", email = "x@y" } })
    res = req("POST", "/_api/document/uq", { body = { _key = "b", email = "x@y" } })
    assert.same({ 409, 1210 }, { res.status, res.json.errorNum })
    assert.equal("unique constraint violated - in index by_email of type persistent over 'email'; "
      .. "conflicting key: a", res.json.errorMessage)
    assert.equal(202, req("POST", "/_api/document/uq", { body = { _key = "c" } }).status)
    assert.equal(202, req("POST", "/_api/document/uq", { body = { _key = "d" } }).status)
    res = req("PATCH", "/_api/document/uq/c", { body = { email = "x@y" } })
    assert.equal(409, res.status)
    assert.is_nil(req("GET", "/_api/document/uq/c").json.email)
    -- a unique index over duplicates cannot be created
    req("POST", "/_api/document/uq", { body = json.array{ { n = 1 }, { n = 1 } } })
    res = create({ type = "persistent", fields = json.array{ "n" }, unique = true }, "uq")
    assert.same({ 409, 1210 }, { res.status, res.json.errorNum })
  end)

  it("expires documents of a ttl index", function()
    req("POST", "/_api/collection", { body = { name = "sessions" } })
    create({ type = "ttl", fields = json.array{ "at" }, expireAfter = 0 }, "sessions")
    req("POST", "/_api/document/sessions", { body = { _key = "past", at = 1000 } })
    req("POST", "/_api/document/sessions", { body = { _key = "later", at = os.time() + 3600 } })
    assert.equal(404, req("GET", "/_api/document/sessions/past").status)
    assert.equal(200, req("GET", "/_api/document/sessions/later").status)
    assert.equal(1, req("GET", "/_api/collection/sessions/count").json.count)
  end)

  it("deletes indexes by id and by name, never the primary one", function()
    req("POST", "/_api/collection", { body = { name = "del" } })
    local a = create({ type = "persistent", fields = json.array{ "a" }, name = "ia" }, "del").json
    local res = req("DELETE", "/_api/index/" .. a.id)
    assert.same({ 200, a.id }, { res.status, res.json.id })
    assert.same({ 404, 1212 }, { req("GET", "/_api/index/" .. a.id).status, req("GET", "/_api/index/"
      .. a.id).json.errorNum })
    create({ type = "persistent", fields = json.array{ "b" }, name = "ib" }, "del")
    assert.equal(200, req("DELETE", "/_api/index/del/ib").status)
    assert.equal(403, req("DELETE", "/_api/index/del/0").status)
    assert.equal(400, req("GET", "/_api/index/del").status)
  end)
end)
