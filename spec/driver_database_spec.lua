-- Databases and server administration against a live server (devserver or ARANGO_URL).
local driver = require "spec.support.driver"
local errors = require "arango.errors"

describe("driver databases", function()
  local sys, env
  setup(function()
    env = driver.acquire()
    sys = driver.db("_system")
  end)
  teardown(function() driver.release() end)

  it("names the database and the user", function()
    assert.equal("_system", sys:name())
    assert.equal(env.user, sys:username())
    assert.equal("default", sys:context())
    local props = sys:properties()
    assert.equal("_system", props.name)
    assert.is_true(props.isSystem)
  end)

  it("creates, lists and deletes databases", function()
    local name = driver.unique("dbspec")
    assert.is_false(sys:has_database(name))
    assert.is_true(sys:create_database(name))
    assert.is_true(sys:has_database(name))
    local found = false
    for _, n in ipairs(sys:databases()) do if n == name then found = true end end
    assert.is_true(found)
    local err = driver.raises(sys.create_database, sys, name)
    assert.truthy(err:is(errors.DatabaseCreateError))
    assert.equal(409, err.http_code)
    assert.equal(1207, err.error_code)
    local db = driver.db(name)
    assert.equal(name, db:properties().name)
    assert.is_true(sys:delete_database(name))
    assert.is_false(sys:has_database(name))
    assert.is_false(sys:delete_database(name, { ignore_missing = true }))
    err = driver.raises(sys.delete_database, sys, name)
    assert.truthy(err:is(errors.DatabaseDeleteError))
    assert.equal(1228, err.error_code)
  end)

  it("creates a database with users given as a table", function()
    local name, uname = driver.unique("dbusers"), driver.unique("dbuser")
    assert.is_true(sys:create_database{ name = name, users = {
      { username = uname, password = "pw1", active = true } } })
    local as_user = driver.db(name, { username = uname, password = "pw1" })
    assert.equal(name, as_user:properties().name)
    local mine = as_user:databases_accessible_to_user()
    local found = false
    for _, n in ipairs(mine) do if n == name then found = true end end
    assert.is_true(found)
    sys:delete_database(name)
    sys:delete_user(uname, { ignore_missing = true })
  end)

  it("refuses a bad database name client-side and server-side", function()
    local err = driver.raises(sys.create_database, sys, "")
    assert.truthy(err:is(errors.ArangoClientError))
    err = driver.raises(sys.create_database, sys, "has/slash")
    assert.truthy(err:is(errors.DatabaseCreateError))
    assert.equal(400, err.http_code)
  end)

  it("reports a missing database on use", function()
    local db = driver.db(driver.unique("nodb"))
    local err = driver.raises(db.collections, db)
    assert.truthy(err:is(errors.CollectionListError))
    assert.equal(404, err.http_code)
    assert.equal(1228, err.error_code)
  end)
end)

describe("driver server administration", function()
  local sys
  setup(function()
    driver.acquire()
    sys = driver.db("_system")
  end)
  teardown(function() driver.release() end)

  it("reads version, details, engine and target version", function()
    assert.matches("^%d+%.%d+", sys:version())
    local details = sys:details()
    assert.equal("arango", details.server)
    assert.equal("table", type(details.details))
    assert.equal("rocksdb", sys:engine().name)
    assert.matches("^%d+", tostring(sys:required_db_version()))
  end)

  it("reads time, role, status and statistics", function()
    local t = sys:time()
    assert.truthy(math.abs(t - os.time()) < 3600)
    assert.equal("SINGLE", sys:role())
    assert.equal("string", type(sys:status().version))
    local stats = sys:statistics()
    assert.equal("table", type(stats.system))
    local desc = sys:statistics{ description = true }
    assert.equal("table", type(desc.groups))
  end)

  it("reads and sets log levels and reads the log", function()
    local levels = sys:log_levels()
    assert.equal("string", type(levels.general))
    local before = levels.requests
    local after = sys:set_log_levels{ requests = "debug" }
    assert.equal("DEBUG", after.requests:upper())
    sys:set_log_levels{ requests = before }
    local log = sys:read_log{ size = 5 }
    assert.equal("number", type(log.total))
    assert.equal("table", type(log.messages))
  end)

  it("echoes, reloads routing and serves metrics", function()
    local echo = sys:echo()
    assert.equal("GET", echo.requestType:upper())
    local posted = sys:echo({ hello = "world" })
    assert.equal("POST", posted.requestType:upper())
    assert.is_true(sys:reload_routing())
    local metrics = sys:metrics()
    assert.equal("string", type(metrics))
    assert.matches("# TYPE", metrics)
  end)

  it("gives raw access with db:request", function()
    local resp = sys:request{ method = "GET", endpoint = "/_api/version", params = { details = true } }
    assert.is_true(resp.is_success)
    assert.equal(200, resp.status_code)
    assert.equal("table", type(resp.body.details))
    local missing = sys:request{ method = "GET", endpoint = "/_api/collection/" .. driver.unique("none") }
    assert.is_false(missing.is_success)
    assert.equal(404, missing.status_code)
    assert.equal(1203, missing.error_code)
  end)
end)
