-- arango.core over TLS: stunnel4 (with a throwaway CA made by the openssl CLI) in front of a
-- scripted tcp_peer, so the plaintext side stays scriptable.
local uv = require "luv"
local core = require "arango.core"
local tcp_peer = require "spec.support.tcp_peer"
local tls_peer = require "spec.support.tls_peer"
local child = require "spec.support.child"

local function response(body)
  return "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " .. #body .. "\r\n\r\n" .. body
end

-- Answers every request with its path until EOF; /cut sends half a body and hangs up.
local function script(c)
  while true do
    local req = c:expect()
    if not req then break end
    if req.path == "/cut" then
      c:send("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n0123456789")
      break
    end
    c:send(response("tls " .. req.path .. " " .. req.body))
  end
  c:close()
end

describe("arango.core over TLS", function()
  assert(tls_peer.available(), "openssl and stunnel4 are needed (scripts/deps.sh)")
  local certs, peer, server, http

  setup(function()
    certs = tls_peer.make_certs()
    peer = tcp_peer.start(script)
    server = tls_peer.start(peer.port, certs)
  end)

  teardown(function()
    if server then server.stop() end
    if peer then
      assert.same({}, peer.errors)
      peer.stop()
      -- let the close callbacks run: luv frees handles that are still on the loop otherwise
      for _ = 1, 3 do uv.run("nowait") end
    end
    if certs then certs.cleanup() end
  end)

  after_each(function()
    if http then http:close() end
    http = nil
  end)

  local function get(path, tls, url)
    return tcp_peer.run(function()
      return http:request{ url = url or server.url, path = path, tls = tls }
    end)
  end

  it("makes a request with the CA given as ca_file", function()
    http = core.http{ tls = { ca_file = certs.ca } }
    local res, err = get("/hello")
    assert.is_nil(err)
    assert.equal(200, res.status)
    assert.equal("tls /hello ", res.body)
    -- a body goes through SSL_write too, larger than one TLS record
    local body = string.rep("b", 100000)
    res, err = tcp_peer.run(function()
      return http:request{ url = server.url, method = "POST", path = "/post", body = body }
    end)
    assert.is_nil(err)
    assert.equal("tls /post " .. body, res.body)
  end)

  it("verifies localhost by name (SNI) and takes the options per request", function()
    http = core.http{}
    local res, err = get("/named", { ca_file = certs.ca }, "https://localhost:" .. server.port)
    assert.is_nil(err)
    assert.equal("tls /named ", res.body)
  end)

  it("reuses one TLS connection for 100 sequential requests", function()
    http = core.http{ tls = { ca_file = certs.ca } }
    local before = peer.connections
    tcp_peer.run(function()
      for i = 1, 100 do
        local res, err = http:request{ url = server.url, path = "/k" .. i }
        assert.is_nil(err)
        assert.equal("tls /k" .. i .. " ", res.body)
      end
    end)
    assert.equal(1, peer.connections - before)
  end)

  it("fails with kind tls on an untrusted certificate", function()
    http = core.http{}
    local res, err = get("/x", { ca_file = certs.other_ca })
    assert.is_nil(res)
    assert.equal("tls", err.kind)
    assert.matches("certificate verify failed", err.message, 1, true)
    assert.equal("127.0.0.1:" .. server.port, err.host)
    -- the system store does not know our throwaway CA either
    res, err = get("/x")
    assert.is_nil(res)
    assert.equal("tls", err.kind)
    assert.matches("verify", err.message, 1, true)
  end)

  it("accepts any certificate with verify = false", function()
    http = core.http{ tls = { verify = false } }
    local res, err = get("/unverified")
    assert.is_nil(err)
    assert.equal("tls /unverified ", res.body)
  end)

  it("fails with kind tls on a hostname mismatch", function()
    http = core.http{ tls = { ca_file = certs.ca } }
    local res, err = get("/x", { server_name = "wrong.example" })
    assert.is_nil(res)
    assert.equal("tls", err.kind)
    assert.matches("hostname mismatch", err.message, 1, true)
    -- the right name as an override works
    res, err = get("/y", { server_name = "localhost" })
    assert.is_nil(err)
    assert.equal("tls /y ", res.body)
  end)

  it("reports a bad ca_file as kind tls and refuses bad options", function()
    http = core.http{}
    local res, err = get("/x", { ca_file = certs.dir .. "/missing.pem" })
    assert.is_nil(res)
    assert.equal("tls", err.kind)
    assert.matches("ca_file", err.message, 1, true)
    assert.has_error(function() http:request{ url = server.url, tls = { verfiy = false } } end,
      "http:request: unknown tls option 'verfiy'")
    assert.has_error(function() http:request{ url = server.url, tls = { verify = "no" } } end,
      "http:request: tls option 'verify' must be a boolean")
    assert.has_error(function() core.http{ tls = "yes" } end, "core.http: option 'tls' must be a table")
  end)

  it("gives reset when the peer closes mid-body", function()
    http = core.http{ tls = { ca_file = certs.ca } }
    local res, err = get("/cut")
    assert.is_nil(res)
    assert.is_truthy(err.kind == "reset" or err.kind == "closed", err.kind)
    -- the engine goes on working
    res, err = get("/after")
    assert.is_nil(err)
    assert.equal("tls /after ", res.body)
  end)

  it("works in blocking mode and for 50 coroutines", function()
    http = core.http{ tls = { ca_file = certs.ca }, max_connections = 4 }
    local res, err = http:request{ url = server.url, path = "/blocking" }
    assert.is_nil(err)
    assert.equal("tls /blocking ", res.body)
    local failures = tcp_peer.run_many(50, function(i)
      local r, e = http:request{ url = server.url, path = "/c" .. i }
      assert(r, e and e.message)
      assert(r.body == "tls /c" .. i .. " ", r.body)
    end)
    assert.same({}, failures)
  end)

  it("retries a pooled TLS socket the server closed while idle", function()
    http = core.http{ tls = { ca_file = certs.ca } }
    local res, err = get("/one")
    assert.is_nil(err)
    assert.equal("tls /one ", res.body)
    -- the backend hangs up every open connection; stunnel closes the TLS side
    for _, c in ipairs(peer.conns) do c:close() end
    local before = peer.connections
    res, err = get("/two")
    assert.is_nil(err)
    assert.equal("tls /two ", res.body)
    assert.equal(1, peer.connections - before)
  end)

  it("closes with TLS connections open and the process exits cleanly", function()
    local path = os.tmpname()
    local f = assert(io.open(path, "w"))
    f:write(([[
      local core = require "arango.core"
      local tcp_peer = require "spec.support.tcp_peer"
      local tls_peer = require "spec.support.tls_peer"
      local certs = { dir = %q, ca = %q, cert = %q, key = %q }
      local peer = tcp_peer.start(function(c)
        while true do
          local req = c:expect()
          if not req then break end
          if req.path == "/slow" then c:sleep(60000) end
          c:send("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
        end
        c:close()
      end)
      local server = tls_peer.start(peer.port, certs)
      local http = core.http{ tls = { ca_file = certs.ca } }
      local failures = tcp_peer.run_many(3, function()
        assert(http:request{ url = server.url, path = "/" })
      end)
      assert(#failures == 0, failures[1])
      local slow_err
      coroutine.wrap(function()
        local _, err = http:request{ url = server.url, path = "/slow" }
        slow_err = err
      end)()
      tcp_peer.turn_until(function() return peer.requests >= 4 end)
      http:close()
      assert(slow_err and slow_err.kind == "closed")
      server.stop()
      peer.stop()
      for _ = 1, 3 do require("luv").run("nowait") end
      print("clean")
    ]]):format(certs.dir, certs.ca, certs.cert, certs.key))
    f:close()
    local out, ok = child.run(path)
    os.remove(path)
    assert.is_true(ok, out)
    assert.matches("clean", out, 1, true)
  end)
end)
