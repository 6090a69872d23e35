-- AQL execution and cursors against a live server (devserver or ARANGO_URL).
-- Keep luv and arango.core loaded across spec files (busted insulates files; reloading them
-- under a live loop is unsafe).
expose("driver runtime", function() require "luv"; require "arango.core" end)
local driver = require "spec.support.driver"
local errors = require "arango.errors"

describe("driver aql and cursors", function()
  local db, db_name
  setup(function()
    driver.acquire()
    db, db_name = driver.scratch_db("aqlspec")
    local col = db:create_collection("nums")
    local docs = {}
    for i = 1, 10 do docs[i] = { _key = "n" .. i, n = i } end
    col:insert_many(docs)
  end)
  teardown(function()
    driver.drop_db(db_name)
    driver.release()
  end)

  it("runs a query with bind variables across batches", function()
    local cursor = db.aql:execute("FOR d IN nums FILTER d.n > @min SORT d.n RETURN d.n",
      { bind_vars = { min = 3 }, batch_size = 3, count = true })
    assert.equal(7, cursor:count())
    assert.is_true(cursor:has_more())
    assert.equal("string", type(cursor:id()))
    assert.same({ 4, 5, 6 }, cursor:batch())
    local seen = {}
    for n in cursor do seen[#seen + 1] = n end
    assert.same({ 4, 5, 6, 7, 8, 9, 10 }, seen)
    assert.is_false(cursor:has_more())
    assert.is_true(cursor:empty())
    assert.is_nil(cursor:next())
  end)

  it("pops, fetches and closes explicitly", function()
    local cursor = db.aql:execute("FOR d IN nums SORT d.n RETURN d.n", { batch_size = 4 })
    assert.equal(1, cursor:pop())
    assert.equal(2, cursor:next())
    assert.same({ 3, 4 }, cursor:batch())
    cursor:pop(); cursor:pop()
    assert.truthy(driver.raises(cursor.pop, cursor):is(errors.CursorEmptyError))
    local f = cursor:fetch()
    assert.same({ 5, 6, 7, 8 }, f.batch)
    assert.is_true(f.has_more)
    assert.is_true(cursor:close())
    assert.is_false(cursor:close{ ignore_missing = true })
    local err = driver.raises(cursor.fetch, cursor)
    assert.truthy(err:is(errors.CursorNextError))
    assert.equal(404, err.http_code)
    assert.equal(1600, err.error_code)
  end)

  it("returns statistics, full count, warnings and profile", function()
    local cursor = db.aql:execute("FOR d IN nums LIMIT 2 RETURN d", { full_count = true, profile = true })
    local stats = cursor:statistics()
    assert.equal(10, stats.fullCount)
    assert.equal("table", type(cursor:profile()))
    local w = db.aql:execute("RETURN 1 / 0"):warnings()
    assert.equal(1562, w[1].code)
    local err = driver.raises(db.aql.execute, db.aql, "RETURN 1 / 0", { fail_on_warning = true })
    assert.truthy(err:is(errors.AQLQueryExecuteError))
    assert.equal(1562, err.error_code)
  end)

  it("returns nulls as json.null inside the iteration", function()
    local json = require "arango.json"
    local out = {}
    for v in db.aql:execute("FOR x IN [1, null, 3] RETURN x", { batch_size = 1 }) do out[#out + 1] = v end
    assert.equal(3, #out)
    assert.equal(json.null, out[2])
  end)

  it("raises AQLQueryExecuteError on parse errors and unknown collections", function()
    local err = driver.raises(db.aql.execute, db.aql, "FOR d IN RETURN d")
    assert.truthy(err:is(errors.AQLQueryExecuteError))
    assert.equal(400, err.http_code)
    assert.equal(1501, err.error_code)
    err = driver.raises(db.aql.execute, db.aql, "FOR d IN nothere RETURN d")
    assert.equal(404, err.http_code)
    assert.equal(1203, err.error_code)
    err = driver.raises(db.aql.execute, db.aql, "RETURN @x")
    assert.equal(1551, err.error_code)
    assert.truthy(driver.raises(db.aql.execute, db.aql, "RETURN 1", { batchsize = 1 })
      :is(errors.ArangoOptionError))
  end)
end)
