-- Spec support for the driver's integration specs: one ArangoDB to talk to.
--
-- ARANGO_URL (with ARANGO_USER / ARANGO_PASSWORD) points the specs at any ArangoDB; otherwise a
-- devserver is started (spec/support/devserver.lua) when the first spec file acquires it and
-- stopped when the last one releases it.
--
--   local driver = require "spec.support.driver"
--   setup(function() env = driver.acquire() end)   -- env.url, .user, .password, .jwt_secret
--   teardown(function() driver.release() end)
local arango = require "arango"

local M = {}

local state = { refs = 0, srv = nil, env = nil, clients = {} }

local counter = 0
--- A name unique within this run (and across runs: includes the time and a random part).
function M.unique(prefix)
  counter = counter + 1
  return string.format("%s_%d_%d_%d", prefix or "t", os.time() % 100000, math.random(1, 99999), counter)
end

--- Starts (or reuses) the server; returns { url, user, password }.
function M.acquire()
  state.refs = state.refs + 1
  if state.env then return state.env end
  local url = os.getenv("ARANGO_URL")
  local user = os.getenv("ARANGO_USER") or "root"
  local password = os.getenv("ARANGO_PASSWORD") or ""
  -- the server's JWT secret, when known, lets specs sign superuser tokens
  local jwt_secret = os.getenv("ARANGO_JWT_SECRET")
  if not url or url == "" then
    jwt_secret = jwt_secret or "lua-arango-spec-secret"
    state.srv = require("spec.support.devserver").start{ auth = true, root_password = password,
      jwt_secret = jwt_secret }
    url = state.srv.url
  end
  state.env = { url = url, user = user, password = password, jwt_secret = jwt_secret,
    devserver = state.srv ~= nil }
  return state.env
end

--- Releases the server; the last release stops a devserver we started and closes clients.
function M.release()
  state.refs = state.refs - 1
  if state.refs > 0 then return end
  for _, c in ipairs(state.clients) do c:close() end
  state.clients, state.shared = {}, nil
  if state.srv then state.srv.stop() end
  state.srv, state.env = nil, nil
end

--- Runs `examples/<file>` in a child lua5.4 against the acquired server; returns its output
-- and whether it exited 0.
function M.run_example(file)
  local env = assert(state.env, "driver.acquire() first")
  return require("spec.support.child").run("examples/" .. file,
    { ARANGO_URL = env.url, ARANGO_USER = env.user, ARANGO_PASSWORD = env.password })
end

--- A client for the server (closed on the last release).
function M.client(opts)
  opts = opts or {}
  local env = assert(state.env, "driver.acquire() first")
  if opts.hosts == nil then opts.hosts = env.url end
  local c = arango.client(opts)
  state.clients[#state.clients + 1] = c
  return c
end

--- One client reused by the specs of this run (closed on the last release).
function M.shared_client()
  if not state.shared then state.shared = M.client() end
  return state.shared
end

--- A database handle as the admin user (default _system).
function M.db(name, opts)
  local env = assert(state.env, "driver.acquire() first")
  opts = opts or {}
  if opts.username == nil and opts.token == nil and opts.jwt_secret == nil then
    opts.username, opts.password = env.user, env.password
  end
  local c = opts.client or M.shared_client()
  opts.client = nil
  return c:db(name or "_system", opts)
end

--- Creates a fresh database and returns (db handle, name); the caller drops it.
function M.scratch_db(prefix)
  local sys = M.db("_system")
  local name = M.unique(prefix or "spec")
  sys:create_database(name)
  return M.db(name), name
end

--- Drops a database created by scratch_db (ignores a missing one).
function M.drop_db(name)
  M.db("_system"):delete_database(name, { ignore_missing = true })
end

--- A port nothing listens on (for connection errors): binds port 0, reads the port the system
-- chose, closes the socket.
function M.closed_port()
  local uv = require "luv"
  local tcp = uv.new_tcp()
  tcp:bind("127.0.0.1", 0)
  local port = tcp:getsockname().port
  tcp:close()
  uv.run("nowait")
  return port
end

--- pcall that returns the raised error (fails the spec when nothing was raised).
function M.raises(fn, ...)
  local ok, err = pcall(fn, ...)
  assert(not ok, "expected an error, got none")
  return err
end

return M
