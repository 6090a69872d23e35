-- Unit specs of the driver's request building, response handling, auth and errors, with a
-- recording transport (an object with :request(req) like arango.core's engine). Everything the
-- server does is checked against the devserver in the other driver_*_spec files.
local arango = require "arango"
local errors = require "arango.errors"
local json = require "arango.json"
local core = require "arango.core"

-- A transport that records requests and answers from a script of handlers.
local function fake(handler)
  local t = { log = {} }
  function t:request(req)
    self.log[#self.log + 1] = req
    return handler(req, #self.log)
  end
  return t
end

local function ok_json(body, status)
  return { status = status or 200, reason = "OK", headers = { ["content-type"] = "application/json" },
    body = json.encode(body) }
end

local function fail_json(status, num, msg)
  return { status = status, reason = "ERR", headers = { ["content-type"] = "application/json" },
    body = json.encode{ error = true, code = status, errorNum = num, errorMessage = msg } }
end

describe("driver request building", function()
  it("prefixes the database, escapes path parts and encodes params", function()
    local t = fake(function() return ok_json{ _id = "c/k", _key = "k", _rev = "1" } end)
    local db = arango.client{ hosts = "http://h:1", http_client = t }:db("my db",
      { username = "u", password = "p" })
    db:collection("c"):insert({ a = 1 }, { return_new = true, sync = true, overwrite_mode = "replace" })
    local req = t.log[1]
    assert.equal("http://h:1", req.url)
    assert.equal("POST", req.method)
    assert.equal("/_db/my%20db/_api/document/c?overwriteMode=replace&returnNew=true&waitForSync=true",
      req.path)
    assert.equal("application/json", req.headers["content-type"])
    assert.same({ a = 1 }, json.decode(req.body))
    assert.equal("Basic " .. core.base64_encode("u:p"), req.headers.authorization)
  end)

  it("sends keys with reserved characters escaped", function()
    local t = fake(function() return ok_json{ _key = "a:b@c" } end)
    local col = arango.client{ hosts = "http://h:1", http_client = t }:db("d"):collection("c")
    col:get("a:b@c")
    assert.equal("/_db/d/_api/document/c/a%3Ab%40c", t.log[1].path)
  end)

  it("rejects unknown options and bad arguments before sending anything", function()
    local t = fake(function() error("must not be called") end)
    local col = arango.client{ hosts = "http://h:1", http_client = t }:db("d"):collection("c")
    local err = select(2, pcall(col.insert, col, { a = 1 }, { retrun_new = true }))
    assert.truthy(errors.is(err, errors.ArangoOptionError))
    assert.matches("retrun_new", tostring(err))
    for _, bad in ipairs{ "", "x/y/z", "other/k", "c/", "with space", string.rep("k", 255), 42 } do
      local e = select(2, pcall(col.get, col, bad))
      assert.truthy(errors.is(e, errors.DocumentParseError), tostring(bad))
      assert.truthy(e:is(errors.ArangoClientError))
    end
    local e = select(2, pcall(col.insert, col, { _id = "other/1" }))
    assert.truthy(errors.is(e, "DocumentParseError"))
    assert.equal(0, #t.log)
  end)

  it("validates hosts and client options", function()
    for _, bad in ipairs{ "ftp://x", "http://u:p@h:1", "http://h:1/path", 5 } do
      local ok, err = pcall(arango.client, { hosts = bad })
      assert.is_false(ok)
      assert.truthy(errors.is(err, errors.ArangoOptionError))
      assert.not_matches("u:p", tostring(err))
    end
    assert.is_false(pcall(arango.client, { nonsense = 1 }))
    assert.same({ "http://a:1", "http://b:2" }, arango.client{ hosts = "http://a:1, http://b:2/" }:hosts())
  end)
end)

describe("driver argument errors", function()
  it("refuses a fractional import batch_size instead of dropping documents", function()
    local t = fake(function(req)
      local n = #json.decode(req.body)
      return ok_json{ created = n, errors = 0, empty = 0, updated = 0, ignored = 0 }
    end)
    local col = arango.client{ hosts = "http://h:1", http_client = t }:db("d"):collection("c")
    local docs = { { a = 1 }, { a = 2 }, { a = 3 }, { a = 4 } }
    local err = select(2, pcall(col.import_bulk, col, docs, { batch_size = 1.5 }))
    assert.truthy(errors.is(err, errors.ArangoOptionError), tostring(err))
    assert.matches("batch_size must be a positive integer", tostring(err))
    assert.equal(0, #t.log)
    local chunks = col:import_bulk(docs, { batch_size = 3 })
    assert.equal(2, #chunks)
    assert.equal(3, chunks[1].created)
    assert.equal(1, chunks[2].created)
  end)

  it("raises ArangoOptionError for a bad host_resolver and a bad token, like other options", function()
    local err = select(2, pcall(arango.client, { hosts = "http://h:1", host_resolver = "fastest" }))
    assert.truthy(errors.is(err, errors.ArangoOptionError), tostring(err))
    assert.matches("host_resolver", tostring(err))
    local db = arango.client{ hosts = "http://h:1", http_client = fake(error) }:db("d", { token = "t" })
    err = select(2, pcall(db:connection().set_token, db:connection(), ""))
    assert.truthy(errors.is(err, errors.ArangoOptionError), tostring(err))
  end)
end)

describe("driver hosts", function()
  it("round-robins over hosts", function()
    local t = fake(function() return ok_json{ version = "3.12.0" } end)
    local db = arango.client{ hosts = { "http://a:1", "http://b:2" }, http_client = t }:db()
    for _ = 1, 4 do db:version() end
    local urls = {}
    for i, r in ipairs(t.log) do urls[i] = r.url end
    assert.same({ "http://a:1", "http://b:2", "http://a:1", "http://b:2" }, urls)
  end)

  it("moves to the next host when one refuses the connection", function()
    local t = fake(function(req)
      if req.url == "http://a:1" then return nil, { kind = "connect", message = "refused", host = "a:1" } end
      return ok_json{ version = "3.12.0" }
    end)
    local db = arango.client{ hosts = "http://a:1,http://b:2", http_client = t }:db()
    assert.equal("3.12.0", db:version())
    assert.equal(2, #t.log)
  end)

  it("raises connection errors with the transport's kind", function()
    for kind, class in pairs{ connect = "ArangoConnectRefusedError", timeout = "ArangoTimeoutError",
      reset = "ArangoConnectionError" } do
      local t = fake(function() return nil, { kind = kind, message = "boom", host = "a:1" } end)
      local db = arango.client{ hosts = "http://a:1", http_client = t }:db("_system", { password = "s3cret" })
      local err = select(2, pcall(db.version, db))
      assert.truthy(errors.is(err, class), kind)
      assert.truthy(err:is("ArangoConnectionError"))
      assert.equal(kind, err.kind)
      assert.not_matches("s3cret", tostring(err))
    end
  end)
end)

describe("driver errors", function()
  it("carries the server's fields and never the credentials", function()
    local t = fake(function() return fail_json(409, 1210, "unique constraint violated") end)
    local db = arango.client{ hosts = "http://h:1", http_client = t }:db("d", { username = "root",
      password = "hunter2" })
    local err = select(2, pcall(db.collection(db, "c").insert, db:collection("c"), { _key = "x" }))
    assert.truthy(err:is(errors.DocumentInsertError))
    assert.truthy(err:is(errors.ArangoServerError))
    assert.is_false(err:is(errors.ArangoClientError))
    assert.equal(409, err.http_code)
    assert.equal(1210, err.error_code)
    assert.equal("POST", err.http_method)
    assert.equal("unique constraint violated", err.error_message)
    assert.equal("http://h:1/_db/d/_api/document/c", err.url)
    assert.equal("server", err.source)
    assert.equal(409, err.response.status_code)
    assert.equal("ERR", err.response.status_text)
    assert.is_false(err.response.is_success)
    assert.equal(1210, err.response.error_code)
    assert.matches("%[HTTP 409%]%[ERR 1210%] unique constraint violated", tostring(err))
    assert.not_matches("hunter2", tostring(err))
    assert.not_matches(core.base64_encode("root:hunter2"), tostring(err))
    assert.is_nil(err.request.headers.authorization)
    assert.not_matches("hunter2", tostring(err.request))
  end)

  it("redacts secret request bodies kept in errors", function()
    local t = fake(function() return fail_json(400, 10, "bad") end)
    local db = arango.client{ hosts = "http://h:1", http_client = t }:db()
    local err = select(2, pcall(db.create_user, db, { username = "x", password = "topsecret" }))
    assert.truthy(err:is("UserCreateError"))
    assert.equal("<redacted>", err.request.data)
    assert.equal("<redacted>", err.response.request.data)
    assert.same({ user = "x", passwd = "topsecret" }, json.decode(t.log[1].body))
  end)
end)

describe("driver authentication", function()
  it("sends a given bearer token", function()
    local t = fake(function() return ok_json{ version = "1" } end)
    arango.client{ hosts = "http://h:1", http_client = t }:db("_system", { token = "abc.def.ghi" }):version()
    assert.equal("bearer abc.def.ghi", t.log[1].headers.authorization)
  end)

  it("signs superuser tokens with HS256 from the JWT secret", function()
    local t = fake(function() return ok_json{ version = "1" } end)
    arango.client{ hosts = "http://h:1", http_client = t }:db("_system", { jwt_secret = "sekrit" }):version()
    local token = t.log[1].headers.authorization:match("^bearer (.*)$")
    local h, p, s = token:match("^([^.]+)%.([^.]+)%.([^.]+)$")
    local expect = core.base64url_encode(core.hmac_sha256("sekrit", h .. "." .. p)):gsub("=+$", "")
    assert.equal(expect, s)
    local claims = json.decode(core.base64url_decode(p .. string.rep("=", (4 - #p % 4) % 4)))
    assert.equal("arangodb", claims.iss)
    assert.truthy(claims.exp > os.time())
  end)

  it("logs in for a JWT, reuses it, and logs in again before it expires", function()
    local logins = 0
    local function token(exp)
      local h = core.base64url_encode('{"alg":"HS256","typ":"JWT"}'):gsub("=+$", "")
      local p = core.base64url_encode(json.encode{ exp = exp }):gsub("=+$", "")
      return h .. "." .. p .. ".sig"
    end
    local exp = os.time() + 3600
    local t = fake(function(req)
      if req.path == "/_open/auth" then
        logins = logins + 1
        local body = json.decode(req.body)
        assert.same({ username = "root", password = "pw" }, body)
        return ok_json{ jwt = token(exp) }
      end
      return ok_json{ version = "1" }
    end)
    local db = arango.client{ hosts = "http://h:1", http_client = t }:db("_system",
      { auth_method = "jwt", username = "root", password = "pw" })
    db:version(); db:version()
    assert.equal(1, logins)
    assert.equal("bearer " .. token(exp), t.log[2].headers.authorization)
    exp = os.time() + 10   -- next token lives shorter than the refresh margin
    db:connection()._jwt.refresh_at = os.time() - 1
    db:version()
    assert.equal(2, logins)
  end)

  it("raises JWTAuthError without the password when the login fails", function()
    local t = fake(function() return fail_json(401, 401, "Wrong credentials") end)
    local db = arango.client{ hosts = "http://h:1", http_client = t }:db("_system",
      { auth_method = "jwt", password = "pa55word" })
    local err = select(2, pcall(db.version, db))
    assert.truthy(errors.is(err, errors.JWTAuthError))
    assert.equal(401, err.http_code)
    assert.not_matches("pa55word", tostring(err))
    assert.equal("<redacted>", err.request.data)
  end)
end)

describe("driver cursor", function()
  it("fetches batches lazily and retries a failed fetch with its batch id", function()
    local failed = false
    local t = fake(function(req)
      if req.path == "/_db/d/_api/cursor" then
        local body = json.decode(req.body)
        assert.equal(2, body.batchSize)
        assert.is_true(body.options.allowRetry)
        assert.same({ x = 1 }, body.bindVars)
        return ok_json({ id = "77", result = { 1, 2 }, hasMore = true, nextBatchId = 2, count = 5 }, 201)
      elseif req.path == "/_db/d/_api/cursor/77/2" then
        if not failed then
          failed = true
          return nil, { kind = "reset", message = "connection reset", host = "h:1" }
        end
        return ok_json{ id = "77", result = { 3, 4 }, hasMore = true, nextBatchId = 3 }
      elseif req.path == "/_db/d/_api/cursor/77/3" then
        return ok_json{ id = "77", result = { 5 }, hasMore = false }
      elseif req.method == "DELETE" and req.path == "/_db/d/_api/cursor/77" then
        return ok_json({ id = "77" }, 202)
      end
      error("unexpected " .. req.path)
    end)
    local db = arango.client{ hosts = { "http://h:1", "http://h:2" }, http_client = t }:db("d")
    local cursor = db.aql:execute("RETURN @x", { bind_vars = { x = 1 }, batch_size = 2, count = true })
    assert.equal("77", cursor:id())
    assert.equal(5, cursor:count())
    assert.same({ 1, 2 }, cursor:batch())
    local seen = {}
    for v in cursor do seen[#seen + 1] = v end
    assert.same({ 1, 2, 3, 4, 5 }, seen)
    -- every follow-up went to the host that made the cursor; the last one released it
    assert.equal(5, #t.log)
    assert.equal("DELETE", t.log[5].method)
    for _, req in ipairs(t.log) do assert.equal("http://h:1", req.url) end
    assert.is_false(cursor:has_more())
    assert.is_true(cursor:empty())
    assert.is_nil(cursor:next())
    assert.truthy(errors.is(select(2, pcall(cursor.pop, cursor)), errors.CursorEmptyError))
  end)
end)
