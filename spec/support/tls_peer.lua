--- TLS in front of a scripted tcp_peer, for testing arango.core's TLS filter.
--
-- local certs = tls_peer.make_certs()        -- throwaway CA + server cert (localhost, 127.0.0.1)
-- local tls = tls_peer.start(peer.port, certs) -- stunnel4 on a free port, forwarding to peer
-- tls.url ("https://127.0.0.1:PORT"), tls.port, tls.stop()
-- certs.dir, certs.ca (CA pem), certs.other_ca (a CA that signed nothing we serve), certs.cert,
-- certs.key, certs.cleanup()
local uv = require "luv"
local tcp_peer = require "spec.support.tcp_peer"

local M = {}

local function sh(cmd)
  local ok = os.execute(cmd .. " >/dev/null 2>&1")
  if not ok then error("command failed: " .. cmd, 2) end
end

local function quote(s) return "'" .. tostring(s):gsub("'", "'\\''") .. "'" end

--- Whether the openssl and stunnel4 binaries are there.
function M.available()
  return os.execute("command -v openssl >/dev/null 2>&1 && command -v stunnel4 >/dev/null 2>&1") == true
end

--- Generates a CA, a server certificate it signs (SAN localhost and 127.0.0.1) and an unrelated CA.
function M.make_certs()
  local dir = assert(io.popen("mktemp -d")):read("l")
  local d = function(name) return dir .. "/" .. name end
  local ec = "-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes"
  sh(("openssl req -x509 %s -keyout %s -out %s -days 2 -subj /CN=arango-test-ca"):format(
    ec, quote(d "ca.key"), quote(d "ca.pem")))
  sh(("openssl req -x509 %s -keyout %s -out %s -days 2 -subj /CN=arango-other-ca"):format(
    ec, quote(d "other.key"), quote(d "other_ca.pem")))
  sh(("openssl req %s -keyout %s -out %s -subj /CN=localhost"):format(
    ec, quote(d "server.key"), quote(d "server.csr")))
  local ext = assert(io.open(d "ext.cnf", "w"))
  ext:write("subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\n")
  ext:close()
  sh(("openssl x509 -req -in %s -CA %s -CAkey %s -CAcreateserial -out %s -days 2 -extfile %s"):format(
    quote(d "server.csr"), quote(d "ca.pem"), quote(d "ca.key"), quote(d "server.pem"), quote(d "ext.cnf")))
  return {
    dir = dir, ca = d "ca.pem", other_ca = d "other_ca.pem", cert = d "server.pem", key = d "server.key",
    cleanup = function() os.execute("rm -rf " .. quote(dir)) end,
  }
end

-- luv frees a handle's memory when its userdata is collected; one still on the loop's
-- closing list then corrupts the loop at exit, so wait for every close callback.
local function close_and_wait(handle)
  if handle:is_closing() then return end
  local closed = false
  handle:close(function() closed = true end)
  tcp_peer.turn_until(function() return closed end)
end

--- A port that was free a moment ago (stunnel cannot listen on port 0).
function M.free_port()
  local s = uv.new_tcp()
  assert(s:bind("127.0.0.1", 0))
  local port = s:getsockname().port
  close_and_wait(s)
  return port
end

local function sleep(ms)
  local done = false
  local t = uv.new_timer()
  t:start(ms, 0, function() done = true end)
  tcp_peer.turn_until(function() return done end)
  close_and_wait(t)
end

local function can_connect(port)
  local done, ok = false, false
  local t = uv.new_tcp()
  t:connect("127.0.0.1", port, function(err) ok = not err; done = true end)
  tcp_peer.turn_until(function() return done end)
  close_and_wait(t)
  return ok
end

--- Starts stunnel4 (foreground, child of this process) on a free port in front of backend_port.
function M.start(backend_port, certs)
  local port = M.free_port()
  local conf = ("%s/stunnel-%d.conf"):format(certs.dir, port)
  local pid_file = ("%s/stunnel-%d.pid"):format(certs.dir, port)
  local f = assert(io.open(conf, "w"))
  f:write(table.concat({
    "foreground = yes",
    "pid = " .. pid_file,
    "debug = 3",
    "[arango]",
    "accept = 127.0.0.1:" .. port,
    "connect = 127.0.0.1:" .. backend_port,
    "cert = " .. certs.cert,
    "key = " .. certs.key,
    "",
  }, "\n"))
  f:close()
  local exited = false
  local handle = uv.spawn("stunnel4", { args = { conf }, stdio = { nil, nil, nil } }, function()
    exited = true
  end)
  assert(handle, "cannot start stunnel4")
  for _ = 1, 250 do
    if exited then error("stunnel4 exited at start (config " .. conf .. ")") end
    if can_connect(port) then break end
    sleep(20)
  end
  local server = { port = port, url = "https://127.0.0.1:" .. port }
  function server.stop()
    if not exited then
      handle:kill("sigterm")
      tcp_peer.turn_until(function() return exited end)
    end
    close_and_wait(handle)
  end
  return server
end

return M
