-- Killing a running AQL query through the driver: one coroutine runs a query that would go on
-- for minutes, another finds it with db.aql:queries() and kills it with db.aql:kill(id); the
-- first then gets the driver's query error with errorNum 1500. Needs a server that serves
-- other requests while a query runs (ArangoDB, or the devserver with cooperative handlers).
local driver = require "spec.support.driver"
local coroutines = require "spec.support.coroutines"
local errors = require "arango.errors"

-- Runs fns as coroutines on the luv loop until all have finished; returns their outcomes.
local function run_concurrently(fns)
  return (coroutines.run(fns, 60))
end

-- Polls the running queries of `db` until one has `text`; returns it (nil after `tries`).
local function find_running(db, text, tries)
  for _ = 1, tries or 500 do
    for _, q in ipairs(db.aql:queries()) do
      if q.query == text then return q end
    end
  end
  return nil
end

describe("killing running queries through the driver", function()
  local db, db_name

  setup(function()
    driver.acquire()
    db, db_name = driver.scratch_db("kill")
  end)

  teardown(function()
    driver.drop_db(db_name)
    driver.release()
  end)

  it("kills a long-running query that another coroutine waits on", function()
    local text = "FOR i IN 1..1000000000 FILTER i < @never RETURN i /* kill from driver */"
    local found
    local results = run_concurrently({
      function()
        return db.aql:execute(text, { bind_vars = { never = 0 } })
      end,
      function()
        found = find_running(db, text)
        assert(found, "the query never showed up in db.aql:queries()")
        return db.aql:kill(found.id)
      end,
    })
    assert.is_true(results[2].ok, tostring(results[2].value))
    assert.is_true(results[2].value)
    assert.equal("executing", found.state)
    assert.same({ never = 0 }, found.bindVars)
    assert.equal("string", type(found.id))
    local err = results[1].value
    assert.is_false(results[1].ok)
    assert.truthy(errors.is(err, errors.AQLQueryExecuteError), tostring(err))
    assert.equal(1500, err.error_code)
    assert.equal(410, err.http_code)
    assert.is_nil(find_running(db, text, 1))
  end)

  it("kills a query sleeping in SLEEP from a second client", function()
    local text = "RETURN SLEEP(1000) /* sleeping */"
    local other = driver.db(db_name, { client = driver.client() })
    local results = run_concurrently({
      function() return db.aql:execute(text) end,
      function()
        local q = find_running(other, text)
        assert(q, "the query never showed up in db.aql:queries()")
        return other.aql:kill(q.id)
      end,
    })
    assert.is_true(results[2].ok, tostring(results[2].value))
    assert.is_false(results[1].ok)
    assert.equal(1500, results[1].value.error_code)
  end)

  it("stops a query at max_runtime while other requests are served", function()
    local results = run_concurrently({
      function() return db.aql:execute("RETURN SLEEP(1000)", { max_runtime = 0.5 }) end,
      function() return db.aql:queries() end,
    })
    assert.is_false(results[1].ok)
    assert.equal(1500, results[1].value.error_code)
    assert.is_true(results[2].ok, tostring(results[2].value))
  end)

  it("raises AQLQueryKillError with 1591 for an unknown query id", function()
    local err = driver.raises(db.aql.kill, db.aql, "424242424242")
    assert.truthy(errors.is(err, errors.AQLQueryKillError))
    assert.equal(1591, err.error_code)
  end)
end)
