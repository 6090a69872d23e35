-- arango.devserver: an ArangoDB-3.12-compatible HTTP server in Lua on luv's loop.
--
--   local devserver = require "arango.devserver"
--   local srv = devserver.start{ port = 0 }      -- on the running luv loop
--   print(srv.url)                               -- http://127.0.0.1:PORT
--   srv.stop()
--
-- Pieces: devserver/http.lua (HTTP/1.1) -> devserver/router.lua (dispatch, auth, errors) ->
-- devserver/api/*.lua (handlers) -> devserver/store (data model).
local http = require "arango.devserver.http"
local router_mod = require "arango.devserver.router"
local auth_mod = require "arango.devserver.auth"
local users_mod = require "arango.devserver.users"
local stats_mod = require "arango.devserver.stats"
local log_mod = require "arango.devserver.log"

local M = {}

-- Handler modules (devserver/api/<name>.lua), each registering its routes, in this order.
M.API_MODULES = {
  "server", "admin", "database", "user", "auth",
  "collection", "document", "index", "import", "edges",
  "cursor", "query", "explain", "query_cache", "aqlfunction", "gharial",
}

--- Starts a devserver on the running luv loop.
-- opts: host ("127.0.0.1"), port (0 = a free port), data_dir (nil = in memory),
-- root_password (""), no_auth (false), max_body_size (bytes), jwt_secret (HS256 secret; also
-- admits superuser tokens signed with it), on_shutdown (called after DELETE /_admin/shutdown
-- stopped the server).
-- @return { url, port, stop = function() end, state }
function M.start(opts)
  opts = opts or {}
  local host = opts.host or "127.0.0.1"
  local store_mod = require "arango.devserver.store"
  local store = store_mod.new({ data_dir = opts.data_dir })
  if not store:database("_system") then store:create_database("_system", {}) end

  local state = {
    store = store, host = host, read_only = false,
    stats = stats_mod.new(), log = log_mod.new(),
    max_body_size = opts.max_body_size or http.DEFAULT_MAX_BODY,
  }
  state.users = users_mod.new(state)
  state.users:ensure_root(opts.root_password or "")
  if opts.root_password and opts.root_password ~= "" then
    -- an explicit password always wins over the one stored by an earlier run
    if not state.users:check_password("root", opts.root_password) then
      state.users:modify("root", { passwd = opts.root_password }, true)
    end
  end
  state.auth = auth_mod.new({
    enabled = not opts.no_auth, users = state.users, jwt_secret = opts.jwt_secret,
  })

  local router = router_mod.new(state)
  state.router = router
  for _, name in ipairs(M.API_MODULES) do
    require("arango.devserver.api." .. name).register(router)
  end

  local server, err = http.listen({
    host = host, port = opts.port or 0, max_body_size = state.max_body_size,
    on_request = function(req, reply) return router:dispatch(req, reply) end,
    on_error = router_mod.protocol_error,
  })
  if not server then
    router:close()
    if store.close then store:close() end
    error("devserver: cannot listen on " .. host .. ":" .. tostring(opts.port) .. ": " .. tostring(err), 0)
  end
  state.port = server.port
  state.connections = function() return server.connections end
  state.connections_total = function() return server.accepted end
  state.log:add("INFO", "general", "ArangoDB-compatible devserver ready for business on port "
    .. server.port)

  local url = "http://" .. host .. ":" .. server.port
  local stopped = false
  local handle = { url = url, port = server.port, host = host, state = state }
  function handle.stop()
    if stopped then return end
    stopped = true
    server.close()
    router:close()
    if store.close then store:close() end
  end
  -- DELETE /_admin/shutdown: stop once the answer is out, then tell the embedder
  function state.request_shutdown()
    local uv = require "luv"
    local t = uv.new_timer()
    t:start(50, 0, function()
      t:close()
      handle.stop()
      if opts.on_shutdown then opts.on_shutdown() end
    end)
  end
  return handle
end

return M
