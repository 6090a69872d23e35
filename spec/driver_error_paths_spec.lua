-- The error path of every API method of issue 4 against a live server (devserver or ARANGO_URL):
-- each call must raise its own operation's error class with the server's HTTP status and error
-- number, and carry the request/response fields the error contract promises.
local driver = require "spec.support.driver"
local errors = require "arango.errors"

-- Asserts that fn raises `class` with `status` (and `code` when given) and the common fields.
local function expect(class_name, status, code, fn)
  local err = driver.raises(fn)
  assert.truthy(errors.is(err), "not a driver error: " .. tostring(err))
  assert.equal(class_name, err:class_name(), tostring(err))
  assert.truthy(err:is(errors.ArangoServerError))
  assert.equal(status, err.http_code, tostring(err))
  if code then assert.equal(code, err.error_code, tostring(err)) end
  assert.equal("server", err.source)
  assert.equal("string", type(err.http_method))
  assert.equal("string", type(err.url))
  assert.equal("string", type(err.error_message))
  assert.equal(status, err.response.status_code)
  assert.is_false(err.response.is_success)
  assert.equal(err.http_method, err.request.method)
  assert.matches("^" .. class_name .. ": %[HTTP " .. status .. "%]", tostring(err))
  return err
end

describe("driver error paths", function()
  local env, sys, db, db_name, col, missing, bad_sys, bad_db
  setup(function()
    env = driver.acquire()
    sys = driver.db("_system")
    db, db_name = driver.scratch_db("errpath")
    col = db:create_collection("c")
    col:insert{ _key = "k", n = 1 }
    missing = db:collection("no_such_collection")
    -- Handles whose every request is refused (401): the error path of the read-only methods.
    bad_sys = driver.db("_system", { username = env.user, password = env.password .. "-wrong" })
    bad_db = driver.db(db_name, { username = env.user, password = env.password .. "-wrong" })
  end)
  teardown(function()
    driver.drop_db(db_name)
    driver.release()
  end)

  it("databases", function()
    expect("DatabaseCreateError", 409, 1207, function() sys:create_database(db_name) end)
    expect("DatabaseDeleteError", 404, 1228, function() sys:delete_database(db_name .. "_gone") end)
    expect("DatabaseListError", 401, nil, function() bad_sys:databases() end)
    expect("DatabaseListError", 401, nil, function() bad_sys:has_database("_system") end)
    expect("DatabaseListError", 403, 1230, function() db:databases() end)
    local gone = driver.db(db_name .. "_gone")
    expect("DatabasePropertiesError", 404, 1228, function() gone:properties() end)
    expect("CollectionListError", 404, 1228, function() gone:collections() end)
  end)

  it("server administration", function()
    local calls = {
      ServerVersionError = function() bad_sys:version() end,
      ServerDetailsError = function() bad_sys:details() end,
      ServerStatusError = function() bad_sys:status() end,
      ServerEngineError = function() bad_sys:engine() end,
      ServerRequiredDBVersionError = function() bad_sys:required_db_version() end,
      ServerTimeError = function() bad_sys:time() end,
      ServerRoleError = function() bad_sys:role() end,
      ServerStatisticsError = function() bad_sys:statistics() end,
      ServerReadLogError = function() bad_sys:read_log() end,
      ServerLogLevelError = function() bad_sys:log_levels() end,
      ServerLogLevelSetError = function() bad_sys:set_log_levels{ general = "info" } end,
      ServerEchoError = function() bad_sys:echo() end,
      ServerReloadRoutingError = function() bad_sys:reload_routing() end,
      ServerMetricsError = function() bad_sys:metrics() end,
    }
    for class_name, fn in pairs(calls) do expect(class_name, 401, nil, fn) end
    -- The raw escape hatch never raises for HTTP errors: the caller reads the response.
    local resp = bad_sys:request{ method = "GET", endpoint = "/_api/version" }
    assert.equal(401, resp.status_code)
    assert.is_false(resp.is_success)
  end)

  it("collections", function()
    expect("CollectionCreateError", 409, 1207, function() db:create_collection("c") end)
    expect("CollectionCreateError", 400, nil, function() db:create_collection("bad name!") end)
    expect("CollectionDeleteError", 404, 1203, function() db:delete_collection("no_such_collection") end)
    expect("CollectionListError", 401, nil, function() bad_db:collections() end)
    expect("CollectionListError", 401, nil, function() bad_db:has_collection("c") end)
    local calls = {
      CollectionPropertiesError = function() missing:properties() end,
      CollectionConfigureError = function() missing:configure{ sync = true } end,
      CollectionRevisionError = function() missing:revision() end,
      CollectionStatisticsError = function() missing:statistics() end,
      CollectionChecksumError = function() missing:checksum() end,
      DocumentCountError = function() missing:count() end,
      CollectionLoadError = function() missing:load() end,
      CollectionUnloadError = function() missing:unload() end,
      CollectionTruncateError = function() missing:truncate() end,
      CollectionRenameError = function() missing:rename("other") end,
      CollectionRecalculateCountError = function() missing:recalculate_count() end,
    }
    for class_name, fn in pairs(calls) do expect(class_name, 404, 1203, fn) end
    assert.equal("no_such_collection", missing:name())
    assert.equal(db_name, missing:db_name())
  end)

  it("documents", function()
    expect("DocumentInsertError", 409, 1210, function() col:insert{ _key = "k" } end)
    expect("DocumentInsertError", 404, 1203, function() missing:insert{ a = 1 } end)
    expect("DocumentInsertError", 404, 1203, function() missing:insert_many{ { a = 1 } } end)
    expect("DocumentImportError", 404, 1203, function() missing:import_bulk{ { a = 1 } } end)
    expect("DocumentGetError", 404, 1203, function() missing:get("k") end)
    expect("DocumentGetError", 404, 1203, function() missing:get_many{ "k" } end)
    -- HEAD answers carry no body, so a refused has() is the error path that every server shows
    expect("DocumentInError", 401, nil, function() bad_db:collection("c"):has("k") end)
    expect("DocumentRevisionError", 412, 1200, function() col:get("k", { rev = "_nope" }) end)
    expect("DocumentUpdateError", 404, 1202, function() col:update{ _key = "gone", a = 1 } end)
    expect("DocumentReplaceError", 404, 1202, function() col:replace{ _key = "gone", a = 1 } end)
    expect("DocumentDeleteError", 404, 1202, function() col:delete("gone") end)
    expect("DocumentDeleteError", 404, 1203, function() missing:delete_many{ "k" } end)
    expect("DocumentRevisionError", 412, 1200, function()
      col:update{ _key = "k", _rev = "_nope", a = 2 }
    end)
    expect("DocumentRevisionError", 412, 1200, function() col:replace{ _key = "k", _rev = "_nope" } end)
    expect("DocumentRevisionError", 412, 1200, function() col:delete{ _key = "k", _rev = "_nope" } end)
    expect("DocumentGetError", 404, 1203, function() missing:find{ a = 1 } end)
    expect("DocumentGetError", 404, 1203, function() missing:all() end)
    expect("DocumentUpdateError", 404, 1203, function() missing:update_match({ a = 1 }, { b = 2 }) end)
    expect("DocumentReplaceError", 404, 1203, function() missing:replace_match({ a = 1 }, { b = 2 }) end)
    expect("DocumentDeleteError", 404, 1203, function() missing:delete_match{ a = 1 } end)
    -- database-level helpers by _id
    expect("DocumentInsertError", 404, 1203, function() db:insert_document("no_such_collection", {}) end)
    expect("DocumentGetError", 404, 1203, function() db:document("no_such_collection/k") end)
    expect("DocumentInError", 401, nil, function() bad_db:has_document("c/k") end)
    expect("DocumentUpdateError", 404, 1202, function() db:update_document{ _id = "c/gone", a = 1 } end)
    expect("DocumentReplaceError", 404, 1202, function() db:replace_document{ _id = "c/gone" } end)
    expect("DocumentDeleteError", 404, 1202, function() db:delete_document("c/gone") end)
    -- the document is unchanged by all of the above
    assert.equal(1, col:get("k").n)
  end)

  it("indexes", function()
    expect("IndexListError", 404, 1203, function() missing:indexes() end)
    expect("IndexCreateError", 400, 10, function()
      col:add_index{ type = "no-such-type", fields = { "a" } }
    end)
    local adders = { "add_hash_index", "add_skiplist_index", "add_persistent_index", "add_fulltext_index",
      "add_geo_index", "add_ttl_index", "add_inverted_index", "add_mdi_index", "add_vector_index" }
    for _, m in ipairs(adders) do
      expect("IndexCreateError", 404, 1203, function() missing[m](missing, { fields = { "a" } }) end)
    end
    expect("IndexDeleteError", 404, 1212, function() col:delete_index("123456789") end)
    expect("IndexGetError", 404, 1212, function() col:index("123456789") end)
  end)

  it("users and permissions", function()
    local nobody = driver.unique("nobody")
    expect("UserGetError", 404, 1703, function() sys:user(nobody) end)
    expect("UserUpdateError", 404, 1703, function() sys:update_user{ username = nobody, active = true } end)
    expect("UserReplaceError", 404, 1703, function()
      sys:replace_user{ username = nobody, password = "x" }
    end)
    expect("UserDeleteError", 404, 1703, function() sys:delete_user(nobody) end)
    expect("UserCreateError", 409, 1702, function()
      sys:create_user{ username = env.user, password = "x" }
    end)
    expect("UserListError", 401, nil, function() bad_sys:users() end)
    expect("UserGetError", 401, nil, function() bad_sys:has_user(env.user) end)
    expect("PermissionListError", 404, 1703, function() sys:permissions(nobody) end)
    expect("PermissionGetError", 404, 1703, function() sys:permission(nobody, db_name) end)
    expect("PermissionUpdateError", 404, 1703, function()
      sys:update_permission{ username = nobody, permission = "rw", database = db_name }
    end)
    expect("PermissionResetError", 404, 1703, function()
      sys:reset_permission{ username = nobody, database = db_name }
    end)
  end)

  it("permission denied 403/11 for a read-only user, on every kind of write", function()
    local uname = driver.unique("reader")
    sys:create_user{ username = uname, password = "pw" }
    sys:update_permission{ username = uname, permission = "ro", database = db_name }
    local ok, err = pcall(function()
      local ro = driver.db(db_name, { username = uname, password = "pw" })
      local rcol = ro:collection("c")
      assert.equal(1, rcol:get("k").n)
      expect("DocumentInsertError", 403, 11, function() rcol:insert{ a = 1 } end)
      expect("DocumentUpdateError", 403, 11, function() rcol:update{ _key = "k", n = 2 } end)
      expect("DocumentDeleteError", 403, 11, function() rcol:delete("k") end)
      expect("CollectionCreateError", 403, 11, function() ro:create_collection("x") end)
      -- no access to _system at all: 401 (ArangoDB answers the same)
      expect("UserCreateError", 401, 11, function() ro:create_user{ username = uname .. "x" } end)
    end)
    sys:delete_user(uname)
    assert(ok, err)
  end)
end)
