-- "No error text or tostring ever contains a password or token": every path that makes an error
-- object (server answers with Basic, JWT, bearer and superuser auth, JWT login failures, bodies
-- holding passwords, serialization failures, and transport failures of every kind) is checked by
-- walking the whole error object, not only its message.
local driver = require "spec.support.driver"
local tcp_peer = require "spec.support.tcp_peer"
local arango = require "arango"
local errors = require "arango.errors"
local core = require "arango.core"

local PASSWORD = "pw-Secr3t-9f1c"

-- Every string reachable from v (keys, values, tostring of tables with __tostring).
local function strings_of(v, out, seen)
  out, seen = out or {}, seen or {}
  local tv = type(v)
  if tv == "string" then
    out[#out + 1] = v
  elseif tv == "table" and not seen[v] then
    seen[v] = true
    local mt = getmetatable(v)
    if mt and mt.__tostring then out[#out + 1] = tostring(v) end
    for k, x in pairs(v) do
      strings_of(k, out, seen)
      strings_of(x, out, seen)
    end
  end
  return out
end

-- Asserts that err is a driver error and that no secret appears anywhere in it.
local function assert_clean(err, secrets, what)
  assert.truthy(errors.is(err), what .. ": not a driver error: " .. tostring(err))
  local texts = strings_of(err)
  texts[#texts + 1] = tostring(err)
  for _, s in ipairs(texts) do
    for _, secret in ipairs(secrets) do
      assert.is_nil(s:find(secret, 1, true), what .. ": '" .. secret .. "' leaked in: " .. s)
    end
  end
  return err
end

local function basic_secrets(user, password)
  return { password, core.base64_encode(user .. ":" .. password) }
end

describe("driver secrets in errors", function()
  local sys, db_name, uname
  setup(function()
    driver.acquire()
    sys = driver.db("_system")
    local _
    _, db_name = driver.scratch_db("secrets")
    driver.db(db_name):create_collection("c")
    uname = driver.unique("secret_user")
    sys:create_user{ username = uname, password = PASSWORD }
    sys:update_permission{ username = uname, permission = "rw", database = db_name }
  end)
  teardown(function()
    sys:delete_user(uname, { ignore_missing = true })
    driver.drop_db(db_name)
    driver.release()
  end)

  it("keeps Basic credentials out of server errors", function()
    local db = driver.db(db_name, { username = uname, password = PASSWORD })
    local col = db:collection("c")
    col:insert{ _key = "k" }
    local err = driver.raises(col.insert, col, { _key = "k" })
    assert.equal(1210, err.error_code)
    assert_clean(err, basic_secrets(uname, PASSWORD), "duplicate insert")
    local wrong = driver.db(db_name, { username = uname, password = PASSWORD .. "x" })
    assert_clean(driver.raises(wrong.version, wrong), basic_secrets(uname, PASSWORD .. "x"), "401")
    assert_clean(driver.raises(driver.db, db_name, { username = uname, password = PASSWORD .. "x",
      verify = true }), basic_secrets(uname, PASSWORD .. "x"), "verify")
  end)

  it("keeps JWTs and the login password out of errors", function()
    local db = driver.db(db_name, { auth_method = "jwt", username = uname, password = PASSWORD })
    local col = db:collection("c")
    col:insert{ _key = "j" }
    local token = db:connection()._jwt.token
    assert.equal("string", type(token))
    local err = driver.raises(col.insert, col, { _key = "j" })
    assert_clean(err, { PASSWORD, token }, "JWT duplicate insert")
    local bad = driver.db(db_name, { auth_method = "jwt", username = uname, password = PASSWORD .. "y" })
    err = driver.raises(bad.version, bad)
    assert.truthy(err:is(errors.JWTAuthError))
    assert_clean(err, { PASSWORD .. "y" }, "JWT login")
    -- a given bearer token, valid and not
    local by_token = driver.db(db_name, { token = token })
    err = driver.raises(by_token.collection(by_token, "c").insert, by_token:collection("c"), { _key = "j" })
    assert_clean(err, { token }, "bearer duplicate insert")
    local forged = token:sub(1, -3) .. (token:sub(-2) == "AA" and "BB" or "AA")
    local refused = driver.db(db_name, { token = forged })
    assert_clean(driver.raises(refused.version, refused), { forged }, "refused bearer")
  end)

  it("keeps the JWT secret and the superuser token out of errors", function()
    local secret = "jwt-Secr3t-" .. PASSWORD
    local db = driver.db(db_name, { jwt_secret = secret })
    local ok, err = pcall(db.collection(db, "c").insert, db:collection("c"), { _key = "k" })
    assert.is_false(ok)
    local token = db:connection()._jwt.token
    assert.equal("string", type(token))
    assert_clean(err, { secret, token }, "superuser")
  end)

  it("keeps passwords sent in bodies out of errors", function()
    local err = driver.raises(sys.create_user, sys, { username = uname, password = PASSWORD .. "z" })
    assert.truthy(err:is(errors.UserCreateError))
    assert_clean(err, { PASSWORD .. "z" }, "create_user")
    err = driver.raises(sys.update_user, sys, { username = uname .. "_gone", password = PASSWORD .. "z" })
    assert_clean(err, { PASSWORD .. "z" }, "update_user")
    err = driver.raises(sys.replace_user, sys, { username = uname .. "_gone", password = PASSWORD .. "z" })
    assert_clean(err, { PASSWORD .. "z" }, "replace_user")
    err = driver.raises(sys.create_database, sys, { name = db_name,
      users = { { username = "u", password = PASSWORD .. "d" } } })
    assert.truthy(err:is(errors.DatabaseCreateError))
    assert_clean(err, { PASSWORD .. "d" }, "create_database with users")
    -- a body the serializer refuses, next to a password
    err = driver.raises(sys.create_user, sys, { username = "x", password = PASSWORD .. "s",
      extra = { f = function() end } })
    assert.truthy(err:is(errors.SerializationError))
    assert_clean(err, { PASSWORD .. "s" }, "serialization")
  end)

  it("keeps credentials out of transport errors of every kind", function()
    local function check(url, kind, client_opts)
      client_opts = client_opts or {}
      client_opts.hosts = url
      local client = arango.client(client_opts)
      for _, auth in ipairs{
        { username = uname, password = PASSWORD, secrets = basic_secrets(uname, PASSWORD) },
        { auth_method = "jwt", username = uname, password = PASSWORD, secrets = { PASSWORD } },
        { token = "tok-" .. PASSWORD, secrets = { "tok-" .. PASSWORD } },
        { jwt_secret = "sec-" .. PASSWORD, secrets = { "sec-" .. PASSWORD } },
      } do
        local secrets = auth.secrets
        auth.secrets = nil
        local db = client:db("_system", auth)
        local err = driver.raises(db.version, db)
        assert.truthy(err:is(errors.ArangoConnectionError), tostring(err))
        assert.equal(kind, err.kind)
        local conn = db:connection()
        if conn._jwt.token then secrets[#secrets + 1] = conn._jwt.token end
        assert_clean(err, secrets, kind)
      end
      client:close()
    end
    check("http://127.0.0.1:" .. driver.closed_port(), "connect")
    -- a peer that answers garbage (protocol) and one that never answers (timeout)
    local garbage = tcp_peer.start(function(c)
      c:expect()
      c:send("NOT HTTP AT ALL\r\n\r\n")
      c:close()
    end)
    local silent = tcp_peer.start(function(c) c:expect() end)
    local ok, err = pcall(function()
      check(garbage.url, "protocol")
      check(silent.url, "timeout", { request_timeout = 0.2 })
    end)
    garbage.stop()
    silent.stop()
    assert(ok, err)
  end)
end)
