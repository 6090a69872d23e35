-- luacheck: no max line length
-- Authentication and permissions of the devserver: HTTP Basic, JWT from /_open/auth, 401
-- bodies, users and grants (database, collection, `*` defaults) enforced on requests, and
-- --no-auth.
local ds = require "spec.support.devserver"
local json = require "arango.json"
local core_ok, core = pcall(require, "arango.core")

local ROOT = { "root", "rootpw" }

local function b64url(s)
  return (ds.base64(s):gsub("+", "-"):gsub("/", "_"):gsub("=+$", ""))
end

describe("devserver auth", function()
  local srv, url

  setup(function()
    srv = ds.start({ auth = true, root_password = "rootpw" })
    url = srv.url
  end)

  teardown(function()
    if srv then srv.stop() end
  end)

  local function as(user, pw)
    return ds.client(url, { auth = { user, pw } })
  end
  local root = function(...) return as(ROOT[1], ROOT[2])(...) end

  local function unauthorized(res)
    assert.are.equal(401, res.status)
    assert.are.equal(11, res.json.errorNum)
    assert.are.equal(401, res.json.code)
    assert.are.equal("not authorized to execute this request", res.json.errorMessage)
  end

  local function forbidden(res)
    assert.are.equal(403, res.status)
    assert.are.equal(11, res.json.errorNum)
    assert.is_true(res.json.error)
  end

  describe("authentication", function()
    it("refuses requests without credentials with 401 and www-authenticate", function()
      local res = ds.request(url, "GET", "/_api/version")
      unauthorized(res)
      assert.truthy((res.headers["www-authenticate"] or ""):find("Basic", 1, true))
      unauthorized(ds.request(url, "GET", "/_api/does-not-exist"))
    end)

    it("refuses wrong passwords, unknown users and malformed headers", function()
      unauthorized(as("root", "wrong")("GET", "/_api/version"))
      unauthorized(as("nobody", "")("GET", "/_api/version"))
      unauthorized(ds.request(url, "GET", "/_api/version", { headers = { authorization = "Basic !!!" } }))
      unauthorized(ds.request(url, "GET", "/_api/version", { headers = { authorization = "Digest abc" } }))
    end)

    it("accepts HTTP Basic with the root password", function()
      local res = root("GET", "/_api/version")
      assert.are.equal(200, res.status)
      assert.are.equal("3.12.10", res.json.version)
    end)

    it("hides unknown databases from callers that could not see them", function()
      unauthorized(ds.request(url, "GET", "/_db/nothere/_api/version"))
      local res = root("GET", "/_db/nothere/_api/version")
      assert.are.equal(404, res.status)
      assert.are.equal(1228, res.json.errorNum)
    end)

    it("issues JWTs from /_open/auth that authenticate requests", function()
      local res = ds.request(url, "POST", "/_open/auth", { body = { username = "root", password = "rootpw" } })
      assert.are.equal(200, res.status)
      local jwt = res.json.jwt
      assert.is_string(jwt)
      local payload = json.decode(core.base64url_decode(jwt:match("^[^.]+%.([^.]+)%.")))
      assert.are.equal("root", payload.preferred_username)
      assert.is_true(payload.exp > os.time())
      res = ds.request(url, "GET", "/_api/version", { token = jwt })
      assert.are.equal(200, res.status)
    end)

    it("refuses /_open/auth with wrong credentials or a bad body", function()
      local res = ds.request(url, "POST", "/_open/auth", { body = { username = "root", password = "nope" } })
      assert.are.equal(401, res.status)
      assert.is_true(res.json.error)
      res = ds.request(url, "POST", "/_open/auth", { body = "{" })
      assert.are.equal(400, res.status)
      assert.are.equal(600, res.json.errorNum)
      res = ds.request(url, "POST", "/_open/auth", { body = { username = "root" } })
      assert.are.equal(400, res.status)
    end)

    it("refuses tokens with a bad signature, expired or for unknown users", function()
      local jwt = ds.request(url, "POST", "/_open/auth",
        { body = { username = "root", password = "rootpw" } }).json.jwt
      local h, p, s = jwt:match("^([^.]+)%.([^.]+)%.([^.]+)$")
      -- flip the signature
      local flipped = (s:sub(1, 1) == "A" and "B" or "A") .. s:sub(2)
      unauthorized(ds.request(url, "GET", "/_api/version", { token = h .. "." .. p .. "." .. flipped }))
      -- a payload signed with another secret
      local payload = b64url(json.encode({ preferred_username = "root", iss = "arangodb", exp = os.time() + 60 }))
      local forged = h .. "." .. payload .. "." .. b64url(core.hmac_sha256("other secret", h .. "." .. payload))
      unauthorized(ds.request(url, "GET", "/_api/version", { token = forged }))
      unauthorized(ds.request(url, "GET", "/_api/version", { token = "not.a.jwt" }))
    end)

    it("refuses expired tokens (auth module)", function()
      local auth_mod = require "arango.devserver.auth"
      local fake_users = { version = 1, get = function() return { user = "root" } end,
                           is_active = function() return true end }
      local short = auth_mod.new({ enabled = true, users = fake_users, token_lifetime = -5 })
      local jwt = short:issue_token("root")
      local payload, why = short:verify_token(jwt)
      assert.is_nil(payload)
      assert.are.equal("expired", why)
      assert.is_nil(short:authenticate("bearer " .. jwt))
      local long = auth_mod.new({ enabled = true, users = fake_users, token_lifetime = 60 })
      assert.are.equal("root", long:authenticate("bearer " .. long:issue_token("root")))
      -- a token of one server is not valid on another (each has its own secret)
      assert.is_nil(long:verify_token(short:issue_token("root")))
    end)
  end)

  describe("users and permissions", function()
    setup(function()
      assert.are.equal(201, root("POST", "/_api/database", { body = { name = "permdb" } }).status)
      assert.are.equal(200, root("POST", "/_db/permdb/_api/collection", { body = { name = "things" } }).status)
      assert.are.equal(200, root("POST", "/_db/permdb/_api/collection", { body = { name = "secret" } }).status)
      for _, u in ipairs({ "reader", "writer", "outsider", "mixed" }) do
        assert.are.equal(201, root("POST", "/_api/user", { body = { user = u, passwd = u .. "pw" } }).status)
      end
      assert.are.equal(200, root("PUT", "/_api/user/reader/database/permdb", { body = { grant = "ro" } }).status)
      assert.are.equal(200, root("PUT", "/_api/user/writer/database/permdb", { body = { grant = "rw" } }).status)
      -- read access to _system: reaches the admin APIs but may not use them
      assert.are.equal(200, root("PUT", "/_api/user/writer/database/_system", { body = { grant = "ro" } }).status)
      assert.are.equal(200, root("PUT", "/_api/user/mixed/database/permdb", { body = { grant = "rw" } }).status)
      assert.are.equal(200, root("PUT", "/_api/user/mixed/database/permdb/secret",
        { body = { grant = "none" } }).status)
      assert.are.equal(200, root("PUT", "/_api/user/mixed/database/permdb/things",
        { body = { grant = "ro" } }).status)
    end)

    local function user(name) return as(name, name .. "pw") end

    it("lets a rw user write and read", function()
      local w = user("writer")
      local res = w("POST", "/_db/permdb/_api/document/things", { body = { _key = "a", v = 1 } })
      assert.is_true(res.status == 201 or res.status == 202)
      res = w("GET", "/_db/permdb/_api/document/things/a")
      assert.are.equal(200, res.status)
      assert.are.equal(1, res.json.v)
    end)

    it("lets a ro user read but not write (403, errorNum 11)", function()
      local r = user("reader")
      assert.are.equal(200, r("GET", "/_db/permdb/_api/document/things/a").status)
      forbidden(r("POST", "/_db/permdb/_api/document/things", { body = { v = 2 } }))
      forbidden(r("DELETE", "/_db/permdb/_api/document/things/a"))
      assert.are.equal(200, root("GET", "/_db/permdb/_api/document/things/a").status)
    end)

    it("refuses a user without access to the database (401)", function()
      unauthorized(user("outsider")("GET", "/_db/permdb/_api/document/things/a"))
      unauthorized(user("outsider")("GET", "/_db/permdb/_api/version"))
    end)

    it("applies collection grants over the database grant", function()
      local m = user("mixed")
      assert.are.equal(200, m("GET", "/_db/permdb/_api/document/things/a").status)
      forbidden(m("POST", "/_db/permdb/_api/document/things", { body = { v = 3 } }))
      forbidden(m("GET", "/_db/permdb/_api/document/secret/x"))
      local res = root("GET", "/_api/user/mixed/database/permdb/secret")
      assert.are.equal("none", res.json.result)
      res = root("GET", "/_api/user/mixed/database/permdb/things")
      assert.are.equal("ro", res.json.result)
    end)

    it("uses the `*` defaults when nothing specific is set", function()
      assert.are.equal(201, root("POST", "/_api/user", { body = { user = "starry", passwd = "starrypw" } }).status)
      unauthorized(user("starry")("GET", "/_db/permdb/_api/document/things/a"))
      assert.are.equal(200, root("PUT", "/_api/user/starry/database/*", { body = { grant = "ro" } }).status)
      assert.are.equal(200, user("starry")("GET", "/_db/permdb/_api/document/things/a").status)
      forbidden(user("starry")("POST", "/_db/permdb/_api/document/things", { body = {} }))
      assert.are.equal("ro", root("GET", "/_api/user/starry/database/permdb").json.result)
      assert.are.equal(200, root("PUT", "/_api/user/starry/database/permdb/*", { body = { grant = "rw" } }).status)
      local res = user("starry")("POST", "/_db/permdb/_api/document/things", { body = { _key = "s" } })
      assert.is_true(res.status == 201 or res.status == 202)
      assert.are.equal(202, root("DELETE", "/_api/user/starry/database/*").status)
      unauthorized(user("starry")("GET", "/_db/permdb/_api/document/things/a"))
    end)

    it("revoking a grant takes effect at once", function()
      assert.are.equal(201, root("POST", "/_api/user", { body = { user = "temp", passwd = "temppw" } }).status)
      root("PUT", "/_api/user/temp/database/permdb", { body = { grant = "rw" } })
      assert.are.equal(200, user("temp")("GET", "/_db/permdb/_api/document/things/a").status)
      assert.are.equal(202, root("DELETE", "/_api/user/temp/database/permdb").status)
      unauthorized(user("temp")("GET", "/_db/permdb/_api/document/things/a"))
    end)

    it("keeps user management to administrators", function()
      forbidden(user("writer")("POST", "/_api/user", { body = { user = "sneaky" } }))
      forbidden(user("writer")("PUT", "/_api/user/writer/database/_system", { body = { grant = "rw" } }))
      forbidden(user("writer")("GET", "/_api/user/reader"))
      -- but a user may read itself and change its own password
      local res = user("reader")("GET", "/_api/user/reader")
      assert.are.equal(200, res.status)
      assert.are.equal("reader", res.json.user)
      unauthorized(user("reader")("GET", "/_api/user"))
      local list = user("writer")("GET", "/_api/user").json.result
      assert.are.equal(1, #list)
      assert.are.equal("writer", list[1].user)
    end)

    it("lists a user's databases, short and full", function()
      local res = root("GET", "/_api/user/writer/database")
      assert.are.equal("rw", res.json.result.permdb)
      assert.are.equal("ro", res.json.result._system)
      assert.is_nil(res.json.result.withusers)
      res = root("GET", "/_api/user/mixed/database?full=true")
      assert.are.equal("rw", res.json.result.permdb.permission)
      assert.are.equal("none", res.json.result.permdb.collections.secret)
      assert.are.equal("ro", res.json.result.permdb.collections.things)
      assert.are.equal("undefined", res.json.result.permdb.collections["*"])
      assert.are.equal("none", res.json.result["*"].permission)
    end)

    it("reports user errors like ArangoDB", function()
      local res = root("GET", "/_api/user/ghost")
      assert.are.equal(404, res.status)
      assert.are.equal(1703, res.json.errorNum)
      res = root("POST", "/_api/user", { body = { user = "reader" } })
      assert.are.equal(409, res.status)
      assert.are.equal(1702, res.json.errorNum)
      res = root("POST", "/_api/user", { body = { passwd = "x" } })
      assert.are.equal(400, res.status)
      assert.are.equal(1700, res.json.errorNum)
      res = root("PUT", "/_api/user/reader/database/permdb", { body = { grant = "admin" } })
      assert.are.equal(400, res.status)
      res = root("PUT", "/_api/user/reader/database/nodb", { body = { grant = "ro" } })
      assert.are.equal(404, res.status)
      assert.are.equal(1228, res.json.errorNum)
      res = root("PUT", "/_api/user/reader/database/permdb/nocol", { body = { grant = "ro" } })
      assert.are.equal(404, res.status)
      assert.are.equal(1203, res.json.errorNum)
    end)

    it("changes passwords and deactivates users", function()
      assert.are.equal(201, root("POST", "/_api/user", { body = { user = "pat", passwd = "one" } }).status)
      assert.are.equal(200, as("pat", "one")("GET", "/_api/user/pat").status)
      assert.are.equal(200, root("PATCH", "/_api/user/pat", { body = { passwd = "two" } }).status)
      unauthorized(as("pat", "one")("GET", "/_api/user/pat"))
      assert.are.equal(200, as("pat", "two")("GET", "/_api/user/pat").status)
      assert.are.equal(200, root("PATCH", "/_api/user/pat", { body = { active = false } }).status)
      unauthorized(as("pat", "two")("GET", "/_api/user/pat"))
      assert.are.equal(202, root("DELETE", "/_api/user/pat").status)
      unauthorized(as("pat", "two")("GET", "/_api/user/pat"))
    end)

    it("gives new databases' initial users access", function()
      local res = root("POST", "/_api/database", { body = { name = "withusers",
        users = { { username = "newbie", passwd = "newbiepw" } } } })
      assert.are.equal(201, res.status)
      assert.are.equal(200, user("newbie")("GET", "/_db/withusers/_api/database/current").status)
      unauthorized(user("newbie")("GET", "/_db/permdb/_api/database/current"))
      -- no access to _system at all: 401 like ArangoDB, not 403
      unauthorized(user("newbie")("POST", "/_api/database", { body = { name = "nope" } }))
      forbidden(user("writer")("POST", "/_api/database", { body = { name = "nope" } }))
      local dbs = user("newbie")("GET", "/_db/withusers/_api/database/user").json.result
      assert.are.same({ "withusers" }, dbs)
    end)

    it("keeps server administration to administrators", function()
      forbidden(user("newbie")("GET", "/_db/withusers/_admin/log/entries"))
      forbidden(user("newbie")("PUT", "/_db/withusers/_admin/server/mode", { body = { mode = "readonly" } }))
      assert.are.equal(200, root("GET", "/_admin/log/entries").status)
    end)
  end)
end)

describe("devserver users on disk", function()
  it("keep users, passwords and grants across a kill -9 and restart", function()
    local dir = os.tmpname()
    os.remove(dir)
    assert(os.execute("mkdir -p " .. dir))
    local srv = ds.start({ auth = true, root_password = "pw", data_dir = dir })
    local root = ds.client(srv.url, { auth = { "root", "pw" } })
    assert.are.equal(201, root("POST", "/_api/user", { body = { user = "keeper", passwd = "kpw" } }).status)
    assert.are.equal(201, root("POST", "/_api/database", { body = { name = "kept" } }).status)
    assert.are.equal(200, root("PUT", "/_api/user/keeper/database/kept", { body = { grant = "ro" } }).status)
    srv.kill9()
    srv = ds.start({ auth = true, root_password = "pw", data_dir = dir })
    local keeper = ds.client(srv.url, { auth = { "keeper", "kpw" } })
    local ok, err = pcall(function()
      assert.are.equal(200, keeper("GET", "/_db/kept/_api/database/current").status)
      assert.are.equal(403, keeper("POST", "/_db/kept/_api/document/_graphs", { body = {} }).status)
      assert.are.equal(401, ds.client(srv.url, { auth = { "keeper", "wrong" } })("GET", "/_db/kept/_api/version").status)
    end)
    srv.stop()
    os.execute("rm -rf " .. dir)
    assert(ok, err)
  end)
end)

describe("devserver --jwt-secret", function()
  local SECRET = "devserver-spec-secret"
  local srv

  setup(function() srv = ds.start({ auth = true, root_password = "rootpw", jwt_secret = SECRET }) end)
  teardown(function() if srv then srv.stop() end end)

  local function token(claims, secret)
    local h = b64url(json.encode({ alg = "HS256", typ = "JWT" }))
    local p = b64url(json.encode(claims))
    return h .. "." .. p .. "." .. b64url(core.hmac_sha256(secret or SECRET, h .. "." .. p))
  end

  it("accepts superuser tokens signed with the secret, with rw rights everywhere", function()
    local su = token({ iss = "arangodb", server_id = "spec", exp = os.time() + 60 })
    local res = ds.request(srv.url, "POST", "/_api/database", { token = su, body = { name = "su_made" } })
    assert.are.equal(201, res.status)
    res = ds.request(srv.url, "POST", "/_db/su_made/_api/collection", { token = su, body = { name = "c" } })
    assert.are.equal(200, res.status)
    assert.are.equal(200, ds.request(srv.url, "GET", "/_api/user", { token = su }).status)
  end)

  it("refuses superuser tokens signed otherwise, expired, or naming no server", function()
    local res = ds.request(srv.url, "GET", "/_api/version",
      { token = token({ iss = "arangodb", server_id = "spec" }, "another secret") })
    assert.are.equal(401, res.status)
    res = ds.request(srv.url, "GET", "/_api/version",
      { token = token({ iss = "arangodb", server_id = "spec", exp = os.time() - 10 }) })
    assert.are.equal(401, res.status)
    res = ds.request(srv.url, "GET", "/_api/version", { token = token({ iss = "arangodb" }) })
    assert.are.equal(401, res.status)
    res = ds.request(srv.url, "GET", "/_api/version", { token = token({ iss = "arangodb", preferred_username = "" }) })
    assert.are.equal(401, res.status)
  end)

  it("signs the tokens of /_open/auth with the same secret", function()
    local jwt = ds.request(srv.url, "POST", "/_open/auth",
      { body = { username = "root", password = "rootpw" } }).json.jwt
    local h, p, s = jwt:match("^([^.]+)%.([^.]+)%.([^.]+)$")
    assert.are.equal(b64url(core.hmac_sha256(SECRET, h .. "." .. p)), s)
  end)
end)

describe("devserver --no-auth", function()
  local srv

  setup(function() srv = ds.start({ auth = false }) end)
  teardown(function() if srv then srv.stop() end end)

  it("serves requests without credentials", function()
    assert.are.equal(200, ds.request(srv.url, "GET", "/_api/version").status)
    assert.are.equal(201, ds.request(srv.url, "POST", "/_api/database", { body = { name = "free" } }).status)
    assert.are.equal(201, ds.request(srv.url, "POST", "/_api/user", { body = { user = "u1" } }).status)
  end)

  it("ignores credentials, even wrong ones", function()
    local res = ds.request(srv.url, "GET", "/_api/version", { auth = { "root", "wrong" } })
    assert.are.equal(200, res.status)
  end)
end)

assert(core_ok, "arango.core is needed by this spec")
