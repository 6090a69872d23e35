-- Users and permissions against a live server (devserver or ARANGO_URL).
local driver = require "spec.support.driver"
local errors = require "arango.errors"

describe("driver users and permissions", function()
  local sys, db_name, uname
  setup(function()
    driver.acquire()
    sys = driver.db("_system")
    local _
    _, db_name = driver.scratch_db("userspec")
    uname = driver.unique("jane")
  end)
  teardown(function()
    sys:delete_user(uname, { ignore_missing = true })
    driver.drop_db(db_name)
    driver.release()
  end)

  it("creates, reads, updates, replaces and deletes users", function()
    assert.is_false(sys:has_user(uname))
    local u = sys:create_user{ username = uname, password = "pw1", active = true, extra = { team = "a" } }
    assert.same({ username = uname, active = true, extra = { team = "a" } }, u)
    assert.is_true(sys:has_user(uname))
    assert.equal("a", sys:user(uname).extra.team)
    local found
    for _, x in ipairs(sys:users()) do if x.username == uname then found = x end end
    assert.truthy(found)
    local err = driver.raises(sys.create_user, sys, { username = uname, password = "x" })
    assert.truthy(err:is(errors.UserCreateError))
    assert.equal(409, err.http_code)
    assert.equal(1702, err.error_code)
    u = sys:update_user{ username = uname, active = false, extra = { level = 2 } }
    assert.is_false(u.active)
    assert.equal("a", u.extra.team)
    assert.equal(2, u.extra.level)
    u = sys:replace_user{ username = uname, password = "pw2", active = true, extra = { only = 1 } }
    assert.is_true(u.active)
    assert.same({ only = 1 }, u.extra)
    u = sys:create_user(uname .. "_pos", "pw", true)
    assert.equal(uname .. "_pos", u.username)
    assert.is_true(sys:delete_user(uname .. "_pos"))
    assert.is_false(sys:delete_user(uname .. "_pos", { ignore_missing = true }))
    err = driver.raises(sys.delete_user, sys, uname .. "_pos")
    assert.truthy(err:is(errors.UserDeleteError))
    assert.equal(1703, err.error_code)
    err = driver.raises(sys.user, sys, uname .. "_pos")
    assert.truthy(err:is(errors.UserGetError))
    assert.equal(404, err.http_code)
  end)

  it("authenticates a new user with the password given", function()
    sys:update_user{ username = uname, password = "pw3", active = true }
    sys:update_permission{ username = uname, permission = "rw", database = db_name }
    local db = driver.db(db_name, { username = uname, password = "pw3", verify = true })
    assert.equal(uname, db:username())
    local err = driver.raises(driver.db, db_name, { username = uname, password = "wrong-pw", verify = true })
    assert.truthy(err:is(errors.ServerConnectionError))
    assert.equal(401, err.http_code)
    assert.not_matches("wrong%-pw", tostring(err))
  end)

  it("grants, reads and resets permissions", function()
    assert.is_true(sys:update_permission{ username = uname, permission = "ro", database = db_name })
    assert.equal("ro", sys:permission{ username = uname, database = db_name })
    assert.equal("ro", sys:permission(uname, db_name))
    local all = sys:permissions(uname)
    assert.equal("ro", all[db_name].permission)
    driver.db(db_name):create_collection("things")
    assert.is_true(sys:update_permission{ username = uname, permission = "rw", database = db_name,
      collection = "things" })
    assert.equal("rw", sys:permission{ username = uname, database = db_name, collection = "things" })
    assert.is_true(sys:reset_permission{ username = uname, database = db_name, collection = "things" })
    assert.is_true(sys:reset_permission(uname, db_name))
    assert.equal("none", sys:permission{ username = uname, database = db_name })
  end)

  it("raises 403/11 when a read-only user writes", function()
    sys:update_user{ username = uname, password = "pw4", active = true }
    sys:update_permission{ username = uname, permission = "ro", database = db_name }
    local admin_db = driver.db(db_name)
    if not admin_db:has_collection("guarded") then admin_db:create_collection("guarded") end
    admin_db:collection("guarded"):insert{ _key = "k", v = 1 }
    local ro = driver.db(db_name, { username = uname, password = "pw4" })
    local col = ro:collection("guarded")
    assert.equal(1, col:get("k").v)
    local err = driver.raises(col.insert, col, { v = 2 })
    assert.truthy(err:is(errors.DocumentInsertError))
    assert.equal(403, err.http_code)
    assert.equal(11, err.error_code)
    err = driver.raises(ro.create_collection, ro, "nope")
    assert.truthy(err:is(errors.CollectionCreateError))
    assert.equal(403, err.http_code)
    assert.equal(11, err.error_code)
    assert.not_matches("pw4", tostring(err))
  end)
end)
