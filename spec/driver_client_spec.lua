-- Client, authentication, transport errors and coroutine mode against a live server.
local driver = require "spec.support.driver"
local coroutines = require "spec.support.coroutines"
local arango = require "arango"
local errors = require "arango.errors"

-- Runs fns as coroutines on the luv loop; returns their results (or errors) in order.
local function run_concurrently(fns)
  return (coroutines.run(fns, 30))
end

-- Wraps the core transport and counts requests per path.
local function counting_transport()
  local core = require "arango.core"
  local engine = core.http{}
  local t = { counts = {}, engine = engine }
  function t:request(req)
    local path = req.path:gsub("%?.*$", "")
    self.counts[path] = (self.counts[path] or 0) + 1
    return self.engine:request(req)
  end
  function t:close() self.engine:close() end
  return t
end

describe("driver client", function()
  local env
  setup(function() env = driver.acquire() end)
  teardown(function() driver.release() end)

  it("connects with basic auth and verifies credentials", function()
    local db = driver.db("_system", { verify = true })
    assert.matches("^%d", db:version())
    local err = driver.raises(driver.db, "_system", { username = env.user,
      password = env.password .. "-wrong", verify = true })
    assert.truthy(err:is(errors.ServerConnectionError))
    assert.equal(401, err.http_code)
    local bad = driver.db("_system", { username = env.user, password = "not-it" })
    err = driver.raises(bad.version, bad)
    assert.truthy(err:is(errors.ServerVersionError))
    assert.equal(401, err.http_code)
    assert.not_matches("not%-it", tostring(err))
    assert.is_nil(err.request.headers.authorization)
  end)

  it("logs in with JWT, and reuses a given bearer token", function()
    local t = counting_transport()
    local client = arango.client{ hosts = env.url, http_client = t }
    local db = client:db("_system", { auth_method = "jwt", username = env.user, password = env.password })
    assert.matches("^%d", db:version())
    assert.matches("^%d", db:version())
    assert.equal(1, t.counts["/_open/auth"])
    local token = db:connection()._jwt.token
    assert.equal("string", type(token))
    local by_token = client:db("_system", { token = token })
    assert.equal("_system", by_token:properties().name)
    local bad = client:db("_system", { auth_method = "jwt", username = env.user, password = "wrong-secret" })
    local err = driver.raises(bad.version, bad)
    assert.truthy(err:is(errors.JWTAuthError))
    assert.equal(401, err.http_code)
    assert.not_matches("wrong%-secret", tostring(err))
    err = driver.raises(client.db(client, "_system", { token = "abc.def.ghi" }).version,
      client:db("_system", { token = "abc.def.ghi" }))
    assert.equal(401, err.http_code)
    t:close()
  end)

  it("shares one JWT refresh between concurrent coroutines", function()
    local t = counting_transport()
    local client = arango.client{ hosts = env.url, http_client = t }
    local db = client:db("_system", { auth_method = "jwt", username = env.user, password = env.password })
    -- 20 coroutines start before any token exists: the first logs in, the 19 others wait for
    -- that one login (without the sharing there would be 20 logins)
    local n = 20
    local fns = {}
    for i = 1, n do fns[i] = function() return db:version() end end
    local results = run_concurrently(fns)
    for i = 1, n do
      assert.is_true(results[i].ok, tostring(results[i].value))
      assert.matches("^%d", results[i].value)
    end
    assert.equal(1, t.counts["/_open/auth"])
    assert.equal(n, t.counts["/_db/_system/_api/version"])
    local first = db:connection()._jwt.token
    -- force the token to be due: the next wave refreshes once for all
    db:connection()._jwt.refresh_at = os.time() - 1
    results = run_concurrently(fns)
    for i = 1, n do assert.is_true(results[i].ok, tostring(results[i].value)) end
    assert.equal(2, t.counts["/_open/auth"])
    assert.equal(2 * n, t.counts["/_db/_system/_api/version"])
    assert.is_nil(db:connection()._jwt.waiters)
    assert.equal("string", type(db:connection()._jwt.token))
    assert.truthy(first)
    -- a failed refresh reaches every waiting coroutine as JWTAuthError, and nobody hangs
    local conn = db:connection()
    conn._auth.password = env.password .. "-changed"
    conn._jwt.refresh_at = os.time() - 1
    results = run_concurrently(fns)
    for i = 1, n do
      assert.is_false(results[i].ok)
      assert.truthy(errors.is(results[i].value, errors.JWTAuthError), tostring(results[i].value))
    end
    assert.equal(3, t.counts["/_open/auth"])
    assert.is_nil(conn._jwt.waiters)
    t:close()
  end)

  it("sends superuser tokens made from a JWT secret", function()
    if env.jwt_secret then
      -- a superuser may do anything, also where no user has rights
      local db = driver.db("_system", { jwt_secret = env.jwt_secret })
      assert.matches("^%d", db:version())
      local name = driver.unique("superuser_db")
      assert.is_true(db:create_database(name))
      assert.is_true(db:delete_database(name))
    else
      pending("the server's JWT secret is unknown (set ARANGO_JWT_SECRET)")
    end
    -- a token signed with another secret is refused, and the secret never shows
    local db = driver.db("_system", { jwt_secret = "not-the-server-secret" })
    local err = driver.raises(db.version, db)
    assert.equal(401, err.http_code)
    assert.not_matches("not%-the%-server%-secret", tostring(err))
    assert.truthy(driver.raises(driver.db, "_system", { jwt_secret = "" }):is(errors.JWTSecretError))
  end)

  it("talks to https:// hosts, verifying the server's certificate", function()
    local tls_peer = require "spec.support.tls_peer"
    if not tls_peer.available() then return pending("openssl or stunnel4 is not installed") end
    if not env.devserver then return pending("stunnel fronts the local devserver only") end
    local certs = tls_peer.make_certs()
    local port = assert(tonumber(env.url:match(":(%d+)$")), env.url)
    local front = tls_peer.start(port, certs)
    local ok, err = pcall(function()
      local trusted = arango.client{ hosts = front.url, tls = { ca_file = certs.ca } }
      local db = trusted:db("_system", { username = env.user, password = env.password })
      assert.matches("^%d", db:version())
      trusted:close()
      -- the same server is refused when its certificate cannot be verified
      local untrusted = arango.client{ hosts = front.url, tls = { ca_file = certs.other_ca } }
      db = untrusted:db("_system", { username = env.user, password = env.password })
      local e = driver.raises(db.version, db)
      assert.truthy(e:is(errors.ArangoConnectionError), tostring(e))
      assert.equal("tls", e.kind)
      assert.matches("certificate verify failed", e.message)
      untrusted:close()
    end)
    front.stop()
    certs.cleanup()
    assert(ok, err)
  end)

  it("raises a connection error of kind connect on a refused port", function()
    local url = "http://127.0.0.1:" .. driver.closed_port()
    local client = arango.client{ hosts = url }
    local db = client:db("_system", { password = "pw-never-shown" })
    local err = driver.raises(db.version, db)
    assert.truthy(errors.is(err, errors.ArangoConnectionError))
    assert.truthy(err:is(errors.ArangoClientError))
    assert.equal("connect", err.kind)
    assert.equal("transport", err.source)
    assert.not_matches("pw%-never%-shown", tostring(err))
    client:close()
  end)

  it("fails over to the next host when one refuses connections", function()
    local dead = "http://127.0.0.1:" .. driver.closed_port()
    local client = arango.client{ hosts = { dead, env.url } }
    local db = client:db("_system", { username = env.user, password = env.password })
    for _ = 1, 3 do assert.matches("^%d", db:version()) end
    client:close()
  end)

  it("runs several operations concurrently in coroutines", function()
    local db, name = driver.scratch_db("cospec")
    local col = db:create_collection("c")
    local fns = {}
    for i = 1, 8 do
      fns[i] = function()
        col:insert{ _key = "k" .. i, n = i }
        return col:get("k" .. i).n
      end
    end
    local results = run_concurrently(fns)
    for i = 1, 8 do
      assert.is_true(results[i].ok, tostring(results[i].value))
      assert.equal(i, results[i].value)
    end
    assert.equal(8, col:count())
    driver.drop_db(name)
  end)

  it("accepts another serializer pair", function()
    local ok, cjson = pcall(require, "cjson")
    if not ok then return end
    local encoded = 0
    local client = driver.client{ serializer = function(v)
      encoded = encoded + 1
      return cjson.encode(v)
    end, deserializer = cjson.decode }
    local db = client:db("_system", { username = env.user, password = env.password })
    local resp = db:request{ method = "POST", endpoint = "/_admin/echo", data = { a = "b" } }
    assert.is_true(resp.is_success)
    assert.equal(1, encoded)
    assert.equal("table", type(resp.body))
  end)
end)
