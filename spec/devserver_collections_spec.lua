-- HTTP-level specs of the devserver's collection endpoints.
local json = require "arango.json"
local ds = require "spec.support.devserver"

describe("devserver collections over HTTP", function()
  local srv, req

  setup(function()
    srv = ds.start{ auth = false }
    req = ds.client(srv.url)
  end)
  teardown(function() if srv then srv.stop() end end)

  it("creates with every property and echoes them like a single server", function()
    local res = req("POST", "/_api/collection", { body = { name = "full", type = 3, waitForSync = true,
      keyOptions = { type = "autoincrement", increment = 5, offset = 10, allowUserKeys = false },
      schema = { rule = { properties = { n = { type = "number" } } }, level = "moderate", message = "n!" },
      computedValues = json.array{ { name = "c", expression = "RETURN 1", overwrite = false } },
      cacheEnabled = true, numberOfShards = 3, replicationFactor = 2, shardKeys = json.array{ "_key" } } })
    assert.equal(200, res.status)
    local p = res.json
    assert.same({ "full", 3, true, true, 3, "loaded" }, { p.name, p.type, p.waitForSync, p.cacheEnabled,
      p.status,
      p.statusString })
    assert.same({ type = "autoincrement", increment = 5, offset = 10, allowUserKeys = false, lastValue = 0 },
      p.keyOptions)
    assert.same({ "moderate", "n!", "json" }, { p.schema.level, p.schema.message, p.schema.type })
    assert.equal("c", p.computedValues[1].name)
    assert.is_false(p.isSystem)
    res = req("GET", "/_api/collection/full/properties")
    assert.same(p.keyOptions, res.json.keyOptions)
    assert.equal("/_db/_system/_api/collection/full/properties", res.headers.location)
    res = req("GET", "/_api/collection/" .. p.id)
    assert.equal("full", res.json.name)
  end)

  it("validates names, types and key generators", function()
    local cases = {
      { { name = "1bad" }, 400, 1208 }, { { name = "_sys" }, 400, 1208 }, { { type = 2 }, 400, 1208 },
      { { name = "t", type = 9 }, 400, 1218 }, { { name = "t", keyOptions = { type = "x" } }, 400, 1232 },
      { { name = "t", schema = { rule = 1 } }, 400, 1621 },
    }
    for _, c in ipairs(cases) do
      local res = req("POST", "/_api/collection", { body = c[1] })
      assert.same({ c[2], c[3] }, { res.status, res.json.errorNum })
    end
    req("POST", "/_api/collection", { body = { name = "dup" } })
    local res = req("POST", "/_api/collection", { body = { name = "dup" } })
    assert.same({ 409, 1207 }, { res.status, res.json.errorNum })
    res = req("POST", "/_api/collection", { body = "{" })
    assert.same({ 400, 600 }, { res.status, res.json.errorNum })
    res = req("GET", "/_api/collection/t")
    assert.same({ 404, 1203 }, { res.status, res.json.errorNum })
  end)

  it("lists collections, optionally without system ones", function()
    req("POST", "/_api/collection", { body = { name = "listed" } })
    local res = req("GET", "/_api/collection")
    local names = {}
    for _, c in ipairs(res.json.result) do names[c.name] = c end
    assert.truthy(names._users)
    assert.truthy(names.listed)
    assert.is_true(names._graphs.isSystem)
    res = req("GET", "/_api/collection?excludeSystem=true")
    for _, c in ipairs(res.json.result) do assert.is_false(c.isSystem) end
  end)

  it("counts, figures, revisions, checksums, truncates", function()
    req("POST", "/_api/collection", { body = { name = "stats" } })
    local res = req("GET", "/_api/collection/stats/revision")
    local r0 = res.json.revision
    local c0 = req("GET", "/_api/collection/stats/checksum").json.checksum
    req("POST", "/_api/document/stats", { body = json.array{ { a = 1 }, { a = 2 } } })
    res = req("GET", "/_api/collection/stats/count")
    assert.equal(2, res.json.count)
    res = req("GET", "/_api/collection/stats/figures?details=true")
    assert.same({ 2, 1 }, { res.json.figures.engine.documents, res.json.figures.indexes.count })
    assert.are_not.equal(r0, req("GET", "/_api/collection/stats/revision").json.revision)
    res = req("GET", "/_api/collection/stats/checksum?withRevisions=true&withData=true")
    assert.are_not.equal(c0, res.json.checksum)
    assert.truthy(res.json.checksum:find("^%d+$"))
    res = req("PUT", "/_api/collection/stats/truncate")
    assert.equal(200, res.status)
    assert.equal(0, req("GET", "/_api/collection/stats/count").json.count)
    assert.equal(c0, req("GET", "/_api/collection/stats/checksum").json.checksum)
  end)

  it("changes properties, renames, loads/unloads/compacts and drops", function()
    req("POST", "/_api/collection", { body = { name = "props" } })
    local res = req("PUT", "/_api/collection/props/properties", { body = { waitForSync = true,
      schema = { rule = { required = json.array{ "x" } }, level = "strict", message = "x!" } } })
    assert.same({ 200, true }, { res.status, res.json.waitForSync })
    res = req("POST", "/_api/document/props", { body = { y = 1 } })
    assert.same({ 400, 1620, "x!" }, { res.status, res.json.errorNum, res.json.errorMessage })
    res = req("PUT", "/_api/collection/props/properties", { body = { waitForSync = "no" } })
    assert.equal(400, res.status)
    assert.is_true(req("GET", "/_api/collection/props/properties").json.waitForSync)
    res = req("PUT", "/_api/collection/props/properties", { body = { schema = json.null } })
    assert.equal(json.null, res.json.schema)
    for _, what in ipairs{ "load", "unload", "compact", "loadIndexesIntoMemory", "recalculateCount" } do
      assert.equal(200, req("PUT", "/_api/collection/props/" .. what).status)
    end
    res = req("PUT", "/_api/collection/props/rename", { body = { name = "renamed" } })
    assert.same({ 200, "renamed" }, { res.status, res.json.name })
    assert.equal(404, req("GET", "/_api/collection/props").status)
    res = req("PUT", "/_api/collection/_users/rename", { body = { name = "x" } })
    assert.equal(403, res.status)
    res = req("DELETE", "/_api/collection/renamed")
    assert.same({ 200, false }, { res.status, res.json.error })
    assert.equal(404, req("DELETE", "/_api/collection/renamed").status)
    res = req("DELETE", "/_api/collection/_graphs")
    assert.same({ 403, 11 }, { res.status, res.json.errorNum })
    res = req("POST", "/_api/collection", { body = { name = "_mine", isSystem = true } })
    assert.equal(200, res.status)
    assert.equal(200, req("DELETE", "/_api/collection/_mine?isSystem=true").status)
  end)

  it("answers cluster-only endpoints like a single server", function()
    req("POST", "/_api/collection", { body = { name = "shardless" } })
    local res = req("PUT", "/_api/collection/shardless/responsibleShard", { body = { _key = "a" } })
    assert.same({ 501, 1471 }, { res.status, res.json.errorNum })
    res = req("GET", "/_api/key-generators")
    assert.same({ "upgrade", "padded", "uuid", "autoincrement", "traditional" }, res.json.keyGenerators)
  end)
end)
