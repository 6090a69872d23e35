-- Collections and indexes against a live server (devserver or ARANGO_URL).
local driver = require "spec.support.driver"
local errors = require "arango.errors"

describe("driver collections", function()
  local db, db_name
  setup(function()
    driver.acquire()
    db, db_name = driver.scratch_db("colspec")
  end)
  teardown(function()
    driver.drop_db(db_name)
    driver.release()
  end)

  it("creates, lists, finds and deletes collections", function()
    assert.is_false(db:has_collection("people"))
    local people = db:create_collection("people")
    assert.equal("people", people:name())
    assert.equal(db_name, people:db_name())
    assert.is_true(db:has_collection("people"))
    local seen
    for _, c in ipairs(db:collections()) do
      if c.name == "people" then seen = c end
    end
    assert.truthy(seen)
    assert.equal("document", seen.type)
    assert.is_false(seen.system)
    local err = driver.raises(db.create_collection, db, "people")
    assert.truthy(err:is(errors.CollectionCreateError))
    assert.equal(409, err.http_code)
    assert.equal(1207, err.error_code)
    assert.is_true(db:delete_collection("people"))
    assert.is_false(db:has_collection("people"))
    assert.is_false(db:delete_collection("people", { ignore_missing = true }))
    err = driver.raises(db.delete_collection, db, "people")
    assert.truthy(err:is(errors.CollectionDeleteError))
    assert.equal(404, err.http_code)
    assert.equal(1203, err.error_code)
  end)

  it("creates edge collections and collections with options", function()
    local edges = db:create_collection("knows", { edge = true })
    assert.equal(3, edges:properties().type)
    local c = db:create_collection("opts", { sync = true, key_generator = "autoincrement",
      key_increment = 5, key_offset = 10 })
    local props = c:properties()
    assert.is_true(props.waitForSync)
    assert.equal("autoincrement", props.keyOptions.type)
    local a = c:insert{}
    local b = c:insert{}
    assert.equal(5, tonumber(b._key) - tonumber(a._key))
    assert.truthy(driver.raises(db.create_collection, db, "bad", { no_such_option = 1 })
      :is(errors.ArangoOptionError))
  end)

  it("reads and changes properties, counts, checksums and statistics", function()
    local c = db:create_collection("props")
    c:insert{ a = 1 }
    c:insert{ a = 2 }
    assert.equal(2, c:count())
    assert.is_false(c:properties().waitForSync)
    local new = c:configure{ sync = true }
    assert.is_true(new.waitForSync)
    assert.is_true(c:properties().waitForSync)
    assert.equal("string", type(c:revision()))
    local sum1 = c:checksum()
    c:insert{ a = 3 }
    assert.not_equal(sum1, c:checksum())
    assert.equal("string", type(c:checksum{ with_rev = true, with_data = true }))
    assert.equal("table", type(c:statistics()))
    assert.is_true(c:load())
    assert.is_true(c:unload())
    assert.is_true(c:recalculate_count())
    assert.is_true(c:truncate())
    assert.equal(0, c:count())
  end)

  it("renames a collection and follows the new name", function()
    local c = db:create_collection("before")
    c:insert{ _key = "k" }
    assert.is_true(c:rename("after"))
    assert.equal("after", c:name())
    assert.is_false(db:has_collection("before"))
    assert.equal("k", c:get("k")._key)
  end)

  it("reports the responsible shard only on clusters", function()
    local c = db:create_collection("shards")
    local ok, err = pcall(c.responsible_shard, c, { _key = "x" })
    if not ok then
      assert.truthy(err:is(errors.CollectionResponsibleShardError))
      assert.truthy(err.http_code >= 400)
    else
      assert.equal("string", type(err))
    end
  end)

  it("raises 1203 on a missing collection", function()
    local c = db:collection("missing")
    local err = driver.raises(c.properties, c)
    assert.truthy(err:is(errors.CollectionPropertiesError))
    assert.equal(404, err.http_code)
    assert.equal(1203, err.error_code)
    err = driver.raises(c.count, c)
    assert.truthy(err:is(errors.DocumentCountError))
    assert.equal(1203, err.error_code)
  end)
end)

describe("driver indexes", function()
  local db, db_name, col
  setup(function()
    driver.acquire()
    db, db_name = driver.scratch_db("idxspec")
    col = db:create_collection("places")
  end)
  teardown(function()
    driver.drop_db(db_name)
    driver.release()
  end)

  local function find_index(name)
    for _, idx in ipairs(col:indexes()) do
      if idx.name == name then return idx end
    end
  end

  it("lists the primary index", function()
    local primary = col:indexes()[1]
    assert.equal("primary", primary.type)
  end)

  it("adds persistent, hash and skiplist indexes", function()
    local idx = col:add_persistent_index{ fields = { "name" }, unique = true, name = "by_name" }
    assert.equal("persistent", idx.type)
    assert.is_true(idx.unique)
    assert.is_true(idx.new)
    local again = col:add_persistent_index{ fields = { "name" }, unique = true, name = "by_name" }
    assert.is_false(again.new)
    assert.equal(idx.id, again.id)
    assert.truthy(find_index("by_name"))
    col:insert{ name = "a" }
    local err = driver.raises(col.insert, col, { name = "a" })
    assert.truthy(err:is(errors.DocumentInsertError))
    assert.equal(1210, err.error_code)
    local h = col:add_hash_index{ fields = { "h" }, sparse = true }
    assert.equal("table", type(h.fields))
    local s = col:add_skiplist_index{ fields = { "s" } }
    assert.equal("string", type(s.id))
  end)

  it("adds fulltext, geo, ttl, inverted, mdi and vector indexes", function()
    assert.equal("fulltext", col:add_fulltext_index{ fields = { "text" }, min_length = 3 }.type)
    local geo = col:add_geo_index{ fields = { "loc" }, geo_json = true }
    assert.equal("geo", geo.type)
    assert.is_true(geo.geoJson)
    local ttl = col:add_ttl_index{ fields = { "expires" }, expiry_time = 3600 }
    assert.equal("ttl", ttl.type)
    assert.equal(3600, ttl.expireAfter)
    assert.equal("inverted", col:add_inverted_index{ fields = { "body" }, name = "inv" }.type)
    local mdi = col:add_mdi_index{ fields = { "x", "y" }, field_value_types = "double" }
    assert.equal("mdi", mdi.type)
    -- a vector index needs trained data on real servers; its creation may be refused there
    local ok, v = pcall(col.add_vector_index, col, { fields = { "vec" },
      params = { metric = "cosine", dimension = 2, nLists = 1 } })
    if ok then assert.equal("vector", v.type) else assert.truthy(v:is(errors.IndexCreateError)) end
  end)

  it("adds raw definitions and deletes indexes", function()
    local idx = col:add_index{ type = "persistent", fields = { "raw" }, name = "raw_idx" }
    assert.equal("raw_idx", idx.name)
    assert.equal("raw_idx", col:index(idx.id).name)
    assert.is_true(col:delete_index(idx.id))
    assert.is_nil(find_index("raw_idx"))
    assert.is_false(col:delete_index(idx.id, { ignore_missing = true }))
    local err = driver.raises(col.delete_index, col, idx.id)
    assert.truthy(err:is(errors.IndexDeleteError))
    assert.equal(1212, err.error_code)
    err = driver.raises(col.add_index, col, { type = "nonsense", fields = { "x" } })
    assert.truthy(err:is(errors.IndexCreateError))
    assert.equal(400, err.http_code)
  end)

  it("makes named indexes usable in AQL hints", function()
    col:add_persistent_index{ fields = { "age" }, name = "by_age" }
    col:insert{ name = "hint", age = 7 }
    local cursor = db.aql:execute(
      "FOR p IN places OPTIONS { indexHint: @idx, forceIndexHint: true } FILTER p.age == @age RETURN p.name",
      { bind_vars = { idx = "by_age", age = 7 } })
    assert.equal("hint", cursor:next())
  end)
end)
