-- Documents against a live server (devserver or ARANGO_URL).
local driver = require "spec.support.driver"
local errors = require "arango.errors"
local json = require "arango.json"

local function sorted(list, field)
  local out = {}
  for i, v in ipairs(list) do out[i] = field and v[field] or v end
  table.sort(out)
  return out
end

local function collect(cursor, field)
  local out = {}
  for doc in cursor do out[#out + 1] = field and doc[field] or doc end
  table.sort(out)
  return out
end

describe("driver documents", function()
  local db, db_name, col
  setup(function()
    driver.acquire()
    db, db_name = driver.scratch_db("docspec")
  end)
  teardown(function()
    driver.drop_db(db_name)
    driver.release()
  end)
  before_each(function()
    if db:has_collection("students") then db:delete_collection("students") end
    col = db:create_collection("students")
  end)

  it("inserts and gets by key, id and table; nil when missing", function()
    local meta = col:insert{ _key = "jane", name = "jane", age = 19 }
    assert.equal("students/jane", meta._id)
    assert.equal("jane", meta._key)
    assert.equal("string", type(meta._rev))
    assert.equal(19, col:get("jane").age)
    assert.equal(19, col:get("students/jane").age)
    assert.equal(19, col:get{ _key = "jane" }.age)
    assert.equal(19, col:get{ _id = "students/jane" }.age)
    assert.is_nil(col:get("nobody"))
    assert.is_true(col:has("jane"))
    assert.is_false(col:has("nobody"))
    assert.equal("jane", db:document("students/jane").name)
    assert.is_nil(db:document("students/nobody"))
    assert.is_true(db:has_document("students/jane"))
    assert.is_false(db:has_document{ _id = "students/nobody" })
  end)

  it("supports insert options", function()
    local r = col:insert({ _key = "a", x = 1 }, { return_new = true, sync = true })
    assert.equal(1, r.new.x)
    assert.is_true(col:insert({ _key = "s" }, { silent = true }))
    r = col:insert({ _key = "a", y = 2 },
      { overwrite_mode = "update", return_old = true, return_new = true })
    assert.equal(1, r.old.x)
    assert.equal(1, r.new.x)
    assert.equal(2, r.new.y)
    r = col:insert({ _key = "a", z = 3 }, { overwrite = true, return_new = true })
    assert.is_nil(r.new.x)
    assert.equal(3, r.new.z)
    r = col:insert({ _key = "a", z = json.null, n = { p = 1 } },
      { overwrite_mode = "update", keep_null = false, return_new = true })
    assert.is_nil(r.new.z)
    r = col:insert({ _key = "a", n = { q = 2 } }, { overwrite_mode = "update", merge_objects = false,
      return_new = true })
    assert.same({ q = 2 }, r.new.n)
    assert.is_false(col:insert({ _key = "a" }, { overwrite_mode = "ignore" }) == nil)
  end)

  it("raises DocumentInsertError 1210 with all its fields on a duplicate key", function()
    col:insert{ _key = "dup" }
    local err = driver.raises(col.insert, col, { _key = "dup" })
    assert.truthy(err:is(errors.DocumentInsertError))
    assert.truthy(err:is(errors.ArangoServerError))
    assert.truthy(err:is("ArangoError"))
    assert.equal("DocumentInsertError", err:class_name())
    assert.equal(409, err.http_code)
    assert.equal(1210, err.error_code)
    assert.equal("POST", err.http_method)
    assert.matches("unique constraint violated", err.error_message)
    assert.matches("/_db/" .. db_name .. "/_api/document/students$", err.url)
    assert.equal("server", err.source)
    assert.equal("application/json", (err.http_headers["content-type"] or ""):match("^[^;]+"))
    assert.equal(409, err.response.status_code)
    assert.equal("POST", err.response.method)
    assert.equal("table", type(err.response.body))
    assert.equal("string", type(err.response.raw_body))
    assert.is_false(err.response.is_success)
    assert.equal(1210, err.response.error_code)
    assert.equal("string", type(err.response.status_text))
    assert.equal("POST", err.request.method)
    assert.matches("^DocumentInsertError: %[HTTP 409%]%[ERR 1210%]", tostring(err))
  end)

  it("raises 1203 for a missing collection", function()
    local missing = db:collection("missing")
    local err = driver.raises(missing.insert, missing, { a = 1 })
    assert.truthy(err:is(errors.DocumentInsertError))
    assert.equal(404, err.http_code)
    assert.equal(1203, err.error_code)
    err = driver.raises(missing.get, missing, "k")
    assert.truthy(err:is(errors.DocumentGetError))
    assert.equal(1203, err.error_code)
  end)

  it("raises DocumentParseError client-side for malformed ids and keys", function()
    for _, bad in ipairs{ "", "a/b/c", "other/k", "bad key", {}, { _id = "nope" } } do
      local err = driver.raises(col.get, col, bad)
      assert.truthy(err:is(errors.DocumentParseError))
      assert.equal("client", err.source)
    end
    assert.truthy(driver.raises(db.document, db, "no-slash"):is(errors.DocumentParseError))
    assert.truthy(driver.raises(col.insert, col, { _key = "spa ce" }):is(errors.DocumentParseError))
  end)

  it("updates and replaces with revision checks (412/1200)", function()
    local meta = col:insert{ _key = "r", a = 1, n = { x = 1 } }
    local up = col:update({ _key = "r", b = 2, n = { y = 2 } }, { return_new = true, return_old = true })
    assert.equal(meta._rev, up._oldRev)
    assert.equal(1, up.old.a)
    assert.same({ x = 1, y = 2 }, up.new.n)
    up = col:update({ _key = "r", n = { z = 3 } }, { merge_objects = false, return_new = true })
    assert.same({ z = 3 }, up.new.n)
    up = col:update({ _key = "r", a = json.null }, { keep_null = false, return_new = true })
    assert.is_nil(up.new.a)
    local stale = { _key = "r", _rev = meta._rev, c = 3 }
    local err = driver.raises(col.update, col, stale)
    assert.truthy(err:is(errors.DocumentRevisionError))
    assert.equal(412, err.http_code)
    assert.equal(1200, err.error_code)
    assert.truthy(col:update(stale, { check_rev = false }))
    err = driver.raises(col.replace, col, { _key = "r", _rev = meta._rev, d = 4 })
    assert.truthy(err:is(errors.DocumentRevisionError))
    local rep = col:replace({ _key = "r", d = 4 }, { return_new = true })
    assert.same(4, rep.new.d)
    assert.is_nil(rep.new.b)
    assert.is_true(col:update({ _key = "r", e = 5 }, { silent = true }))
    err = driver.raises(col.update, col, { _key = "absent", x = 1 })
    assert.truthy(err:is(errors.DocumentUpdateError))
    assert.equal(1202, err.error_code)
    err = driver.raises(col.replace, col, { _key = "absent", x = 1 })
    assert.truthy(err:is(errors.DocumentReplaceError))
    assert.equal(404, err.http_code)
    local cur = col:get("r")
    err = driver.raises(col.get, col, { _key = "r", _rev = "_bogus___" })
    assert.truthy(err:is(errors.DocumentRevisionError))
    assert.equal(cur._rev, col:get({ _key = "r", _rev = "_bogus___" }, { check_rev = false })._rev)
    assert.equal(cur._rev, col:get("r", { rev = cur._rev })._rev)
  end)

  it("updates, replaces and deletes by id at database level", function()
    local meta = db:insert_document("students", { _key = "d", a = 1 })
    assert.equal("students/d", meta._id)
    db:update_document{ _id = "students/d", b = 2 }
    assert.equal(2, db:document("students/d").b)
    db:replace_document{ _id = "students/d", c = 3 }
    assert.is_nil(db:document("students/d").a)
    assert.truthy(db:delete_document("students/d"))
    assert.is_false(db:has_document("students/d"))
  end)

  it("deletes, with ignore_missing and revision checks", function()
    local meta = col:insert{ _key = "x", v = 1 }
    col:update{ _key = "x", v = 2 }
    local err = driver.raises(col.delete, col, { _key = "x", _rev = meta._rev })
    assert.truthy(err:is(errors.DocumentRevisionError))
    local res = col:delete("x", { return_old = true })
    assert.equal(2, res.old.v)
    assert.is_false(col:delete("x", { ignore_missing = true }))
    err = driver.raises(col.delete, col, "x")
    assert.truthy(err:is(errors.DocumentDeleteError))
    assert.equal(404, err.http_code)
    assert.equal(1202, err.error_code)
  end)

  it("inserts, gets and deletes many", function()
    local res = col:insert_many{ { _key = "m1", n = 1 }, { _key = "m2", n = 2 }, { _key = "m1" } }
    assert.equal("students/m1", res[1]._id)
    assert.equal("students/m2", res[2]._id)
    assert.truthy(errors.is(res[3], errors.DocumentInsertError))
    assert.equal(1210, res[3].error_code)
    local docs = col:get_many{ "m1", "students/m2", { _key = "m3" } }
    assert.same({ 1, 2 }, sorted(docs, "n"))
    res = col:update_many{ { _key = "m1", u = true }, { _key = "m2", u = true } }
    assert.equal(2, #res)
    assert.is_true(col:get("m2").u)
    res = col:replace_many{ { _key = "m1", r = 1 } }
    assert.equal("students/m1", res[1]._id)
    assert.is_nil(col:get("m1").n)
    res = col:delete_many{ "m1", { _key = "m2" }, "m9" }
    assert.equal("students/m1", res[1]._id)
    assert.equal("students/m2", res[2]._id)
    assert.is_false(res[3])
    assert.equal(0, col:count())
  end)

  it("imports in bulk, in chunks and with on_duplicate", function()
    local docs = {}
    for i = 1, 25 do docs[i] = { _key = "i" .. i, n = i } end
    local r = col:import_bulk(docs)
    assert.equal(25, r.created)
    assert.equal(0, r.errors)
    local chunks = col:import_bulk({ { _key = "i1", n = 100 }, { _key = "i2" }, { _key = "new" } },
      { on_duplicate = "update", batch_size = 2 })
    assert.equal(2, #chunks)
    assert.equal(2, chunks[1].updated)
    assert.equal(1, chunks[2].created)
    assert.equal(100, col:get("i1").n)
    r = col:import_bulk({ { _key = "i3" } }, { on_duplicate = "error", details = true })
    assert.equal(1, r.errors)
    assert.equal("table", type(r.details))
    r = col:import_bulk({ { _key = "i4" } }, { on_duplicate = "ignore" })
    assert.equal(1, r.ignored)
    r = col:import_bulk({ { _key = "o1" } }, { overwrite = true })
    assert.equal(1, r.created)
    assert.equal(1, col:count())
  end)

  it("finds by example, with skip and limit, and walks all documents", function()
    col:insert_many{ { name = "jane", age = 19, addr = { city = "A" } }, { name = "josh", age = 18 },
      { name = "judy", age = 19, addr = { city = "B" } } }
    assert.same({ "jane", "judy" }, collect(col:find{ age = 19 }, "name"))
    assert.same({ "judy" }, collect(col:find{ ["addr.city"] = "B" }, "name"))
    assert.same({}, collect(col:find{ age = 99 }, "name"))
    local n = 0
    for _ in col:find({ age = 19 }, { limit = 1 }) do n = n + 1 end
    assert.equal(1, n)
    assert.equal(3, #collect(col:all(), "name"))
    assert.equal(2, #collect(col:all{ skip = 1 }, "name"))
    assert.equal(1, #collect(col:all{ skip = 1, limit = 1 }, "name"))
    -- values are bind variables: quotes and AQL keywords are plain data
    col:insert{ name = "x\" || true || \"" }
    assert.same({ "x\" || true || \"" }, collect(col:find{ name = "x\" || true || \"" }, "name"))
  end)

  it("updates, replaces and deletes by example", function()
    col:insert_many{ { name = "a", g = 1 }, { name = "b", g = 1 }, { name = "c", g = 2 } }
    assert.equal(2, col:update_match({ g = 1 }, { flag = true }))
    assert.same({ "a", "b" }, collect(col:find{ flag = true }, "name"))
    assert.equal(1, col:update_match({ g = 1 }, { one = true }, { limit = 1 }))
    assert.equal(1, col:replace_match({ name = "c" }, { name = "c2" }))
    assert.is_nil(collect(col:find{ name = "c2" })[1].g)
    assert.equal(2, col:delete_match{ g = 1 })
    assert.equal(1, col:count())
    assert.equal(0, col:delete_match{ g = 42 })
  end)
end)
