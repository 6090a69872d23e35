-- The devserver's dispatcher: turns an HTTP request into a handler call and the handler's
-- result into ArangoDB's response shape.
--
-- Order of checks follows ArangoDB's CommTask::prepareExecution: database resolution
-- (unknown database -> 404/1228, or 401 when the caller could not see it anyway), then
-- authentication and database access (401/11), then the route (404/405), then the route's own
-- permission needs (403/11). Routes live in a trie of path segments: static segments win over
-- `:param` captures, which win over `*rest`.
--
-- Each handler runs in a coroutine of the server's scheduler (devserver/scheduler.lua): a
-- handler that yields (a long AQL query, SLEEP) is continued from the event loop and its
-- response goes out through the HTTP layer's `reply` when it is done.
--
--   local router = require("arango.devserver.router").new(state)  -- state: the server state
--   router:add(method, pattern, handler, opts)     -- see docs/architecture.md
--   router:dispatch(req, reply) -> response | nil  -- nil: reply(response) comes later
--   router:close()
--   M.protocol_error(status, message) -> response  -- for the HTTP layer's own errors
--   M.respond(status, body, headers) -> response   M.parse_query(qs), M.unescape(segment)
-- Handlers get a ctx (fields in docs/architecture.md) with ctx:fail, ctx:json, ctx:need and
-- ctx:is_admin.
local json = require "arango.json"
local errors = require "arango.devserver.errors"
local scheduler = require "arango.devserver.scheduler"

local M = {}

local find, sub, gsub, char, tonumber, concat = string.find, string.sub, string.gsub, string.char,
  tonumber, table.concat

-- Headers ArangoDB sends on every response (see the transcripts), rendered once.
local COMMON_HEADERS = {
  { "server", "ArangoDB" },
  { "x-arango-queue-time-seconds", "0.000000" },
  { "x-content-type-options", "nosniff" },
  { "cache-control",
    "no-cache, no-store, must-revalidate, pre-check=0, post-check=0, max-age=0, s-maxage=0" },
  { "content-security-policy", "frame-ancestors 'self'; form-action 'self';" },
  { "expires", "0" },
  { "pragma", "no-cache" },
  { "strict-transport-security", "max-age=31536000 ; includeSubDomains" },
}
M.COMMON_HEADERS = COMMON_HEADERS
local JSON_TYPE = "application/json; charset=utf-8"
M.JSON_TYPE = JSON_TYPE

local function hexchar(h) return char(tonumber(h, 16)) end

--- Percent-decodes a path segment (`+` stays `+`).
function M.unescape(s)
  if not find(s, "%", 1, true) then return s end
  return (gsub(s, "%%(%x%x)", hexchar))
end
local unescape = M.unescape

--- Decodes a query string into a table (`+` is a space; the last of repeated keys wins).
function M.parse_query(qs)
  local q = {}
  if not qs or qs == "" then return q end
  for pair in string.gmatch(qs, "[^&]+") do
    local k, v = string.match(pair, "^([^=]*)=?(.*)$")
    k = unescape((gsub(k, "+", " ")))
    v = unescape((gsub(v, "+", " ")))
    if k ~= "" then q[k] = v end
  end
  return q
end

local function split_path(path)
  local segs, n = {}, 0
  for seg in string.gmatch(path, "[^/]+") do
    n = n + 1
    segs[n] = seg
  end
  return segs, n
end

local Router = {}
Router.__index = Router

--- A new dispatcher. `state` is the server state (store, auth, users, stats ...).
function M.new(state)
  local sched = scheduler.new()
  state.scheduler = sched
  return setmetatable({ state = state, root = { static = {} }, sched = sched }, Router)
end

--- Releases the dispatcher's loop handles (suspended handlers are abandoned).
function Router:close()
  self.sched:close()
end

--- Registers `handler` for `method` (a string or a list of strings) and `pattern`.
-- opts: `db_scoped` (default true: `/_db/x/` applies; false means the route always runs on
-- _system), `open` (no authentication needed), `need` ("ro"/"rw": database level the caller
-- must hold), `system` (true: caller needs rw on _system, like ArangoDB's admin APIs).
function Router:add(method, pattern, handler, opts)
  assert(type(handler) == "function", "handler must be a function")
  local node = self.root
  -- capture names belong to the route: two routes may name the same position differently
  local names = {}
  for seg in string.gmatch(pattern, "[^/]+") do
    local first = sub(seg, 1, 1)
    if first == ":" then
      node.param = node.param or { static = {} }
      node = node.param
      names[#names + 1] = sub(seg, 2)
    elseif first == "*" then
      node.rest = node.rest or { static = {}, is_rest = true }
      node = node.rest
      names[#names + 1] = sub(seg, 2)
      break
    else
      local nxt = node.static[seg]
      if not nxt then
        nxt = { static = {} }
        node.static[seg] = nxt
      end
      node = nxt
    end
  end
  node.handlers = node.handlers or {}
  local route = { handler = handler, opts = opts or {}, pattern = pattern, names = names }
  if type(method) == "table" then
    for _, m in ipairs(method) do node.handlers[m] = route end
  else
    node.handlers[method] = route
  end
end

-- True when `node` can answer `method` (nil: any method; HEAD falls back to GET).
local function answers(node, method)
  local h = node.handlers
  if not h then return false end
  if method == nil then return true end
  return h[method] ~= nil or (method == "HEAD" and h.GET ~= nil)
end

-- Walks the trie, preferring static segments, then `:param`, then `*rest`, and backtracking
-- when a branch has no route for `method`. Returns the node; captures go to caps[1..].
local function match(node, segs, i, n, caps, ncap, method)
  if i > n then
    if answers(node, method) then return node end
    -- `*rest` may match an empty remainder
    if node.rest and answers(node.rest, method) then
      caps[ncap + 1] = ""
      return node.rest
    end
    return nil
  end
  local seg = segs[i]
  local nxt = node.static[unescape(seg)]
  if nxt then
    local found = match(nxt, segs, i + 1, n, caps, ncap, method)
    if found then return found end
  end
  if node.param then
    local found = match(node.param, segs, i + 1, n, caps, ncap + 1, method)
    if found then
      caps[ncap + 1] = unescape(seg)
      return found
    end
  end
  if node.rest and answers(node.rest, method) then
    local parts = {}
    for j = i, n do parts[#parts + 1] = unescape(segs[j]) end
    caps[ncap + 1] = concat(parts, "/")
    return node.rest
  end
  return nil
end

-- ctx ---------------------------------------------------------------------------------

local Ctx = {}
Ctx.__index = Ctx
M.Ctx = Ctx

-- Our decoder's messages and the ones ArangoDB's VelocyPack parser gives for the same fault.
local VPACK_MESSAGES = {
  { "expected a string key", "Expecting '\"' or '}'" },
  { "expected ',' or '}'", "Expecting ',' or '}'" },
  { "expected ',' or ']'", "Expecting ',' or ']'" },
  { "expected ':'", "Expecting ':'" },
  { "unexpected end of input", "Unexpected end of input" },
  { "unterminated string", "Unexpected end of input" },
  { "unexpected trailing data", "Expecting EOF" },
  { "invalid number", "Expecting digit" },
  { "invalid escape", "Invalid escape sequence" },
  { "invalid \\u escape", "Invalid escape sequence" },
  { "unescaped control character", "Found control character in string" },
  { "invalid UTF-8", "Invalid UTF-8 sequence" },
  { "unexpected character", "Expecting item" },
  { "unexpected byte", "Expecting item" },
}

--- The errorMessage of a 400/600 for a JSON decoding error `err` (ArangoDB's wording).
function M.json_error_message(err)
  local text = tostring(err)
  for _, pair in ipairs(VPACK_MESSAGES) do
    if find(text, pair[1], 1, true) then return "VPackError error: " .. pair[2] end
  end
  return "VPackError error: " .. (gsub(text, "^.-:%d+: ", ""))
end

--- Raises an ArangoDB error (status, errorNum, message defaulting to errors.json's text).
function Ctx:fail(status, num, message) -- luacheck: ignore 212
  errors.raise(status, num, message)
end

--- The decoded JSON body; fails 400/600 when it is not valid JSON.
-- An empty body decodes to nil unless `opts.required`.
function Ctx:json(opts)
  if self._json_done then return self._json end
  local body = self.body
  if body == nil or find(body, "^%s*$") then
    if opts and opts.required then
      errors.raise(400, 600, "VPackError error: Expecting value")
    end
    self._json_done = true
    return nil
  end
  local ok, v = pcall(json.decode, body)
  if not ok then errors.raise(400, 600, M.json_error_message(v)) end
  self._json, self._json_done = v, true
  return v
end

-- True when access level `have` ("rw", "ro", "none") allows what `level` needs.
local function allows(have, level)
  return have == "rw" or (level == "ro" and have == "ro") or level == "none"
end

--- Requires the caller to hold `level` ("ro" or "rw") on the current database, or on
-- `collection` of it when given. Fails 403/11 otherwise (403/1004 for writes while the server
-- is read-only). Without authentication only the read-only mode is checked.
function Ctx:need(level, collection)
  -- a server in read-only mode refuses every write (PUT /_admin/server/mode)
  if level == "rw" and self.server.read_only then errors.raise(403, 1004) end
  local auth = self.server.auth
  if not auth or not auth.enabled then return true end
  local have
  if collection then
    have = auth:collection_level(self.user, self.db_name, collection)
  else
    have = auth:database_level(self.user, self.db_name)
  end
  if allows(have, level) then return true end
  errors.raise(403, 11)
end

--- True when the caller may administer the server (rw on _system), or auth is off.
function Ctx:is_admin()
  local auth = self.server.auth
  if not auth or not auth.enabled then return true end
  return auth:database_level(self.user, "_system") == "rw"
end

-- responses ---------------------------------------------------------------------------

local function error_response(status, num, message)
  return status, errors.body(errors.new(status, num, message))
end

-- Renders a handler result (status, body, headers) into an http.lua response.
local function respond(status, body, headers, head_only)
  local list = { table.unpack(COMMON_HEADERS) }
  local ctype
  if type(headers) == "table" then
    for k, v in pairs(headers) do
      if k == "content-type" then
        ctype = v
      else
        list[#list + 1] = { k, tostring(v) }
      end
    end
  end
  local text
  if type(body) == "table" then
    text = json.encode(body)
    ctype = ctype or JSON_TYPE
  elseif body == nil then
    text = ""
    ctype = ctype or "text/plain; charset=utf-8"
  else
    text = tostring(body)
    ctype = ctype or "text/plain; charset=utf-8"
  end
  if ctype then list[#list + 1] = { "content-type", ctype } end
  return { status = status, headers = list, body = text, head_only = head_only }
end
M.respond = respond

--- The response for a protocol-level error found by the HTTP layer (400, 413, 431, 500).
function M.protocol_error(status, message)
  local num = status
  if status == 413 then
    message = "request too large"
    num = 400
  end
  local s, b = error_response(status, num, message)
  return respond(s, b)
end

local function www_authenticate(headers, req_headers)
  if req_headers["x-omit-www-authenticate"] then return headers end
  headers["www-authenticate"] = 'Basic, realm="ArangoDB", Bearer, token_type="JWT", realm="ArangoDB"'
  return headers
end

-- Runs the handler with error objects turned into ArangoDB bodies.
local function call_handler(route, ctx)
  local ok, status, body, headers = xpcall(route.handler, function(e)
    if errors.is_error(e) then return e end
    return { internal = tostring(e), trace = debug.traceback(tostring(e), 2) }
  end, ctx)
  if ok then return status, body, headers end
  local e = status
  if errors.is_error(e) then
    local b = errors.body(e)
    if e.extra then
      for k, v in pairs(e.extra) do b[k] = v end
    end
    return e.status, b, e.headers
  end
  io.stderr:write("devserver: handler error on ", ctx.method, " ", ctx.path, ": ", e.trace, "\n")
  return error_response(500, 4, "internal error: " .. e.internal)
end

-- The scheduler job of a request: the route's handler with every error turned into a response.
local function job(ctx)
  return ctx.router:_run(ctx)
end

-- The HTTP layer calls this when the client of `req` went away before its answer: a running
-- query checks ctx.disconnected at its next slice and stops (api/cursor.lua).
local function on_disconnect(req) req.ctx.disconnected = true end

-- The response of a finished job (`raised`: the job itself died, `body` is the error).
local function render(method, path, status, body, headers, raised, head_only)
  if raised then status, body, headers = error_response(500, 4, "internal error: " .. tostring(body)) end
  local ok, res = pcall(respond, status, body, headers, head_only)
  if not ok then
    io.stderr:write("devserver: cannot render the response to ", method, " ", path, ": ",
      tostring(res), "\n")
    res = respond(error_response(500, 4, "internal error: " .. tostring(res)))
  end
  return res
end

--- Dispatches one parsed HTTP request (see devserver/http.lua) and returns the response, or
-- nil when the handler was suspended: `reply(response)` is then called from the loop.
function Router:dispatch(req, reply)
  local state = self.state
  local stats = state.stats
  local started = stats and stats:request_started(req)
  local method = req.method
  local target = req.target
  local qpos = find(target, "?", 1, true)
  local path, qs = target, nil
  if qpos then
    path, qs = sub(target, 1, qpos - 1), sub(target, qpos + 1)
  end
  if find(path, "^https?://") then path = string.match(path, "^https?://[^/]*(.*)$") end
  if path == "" then path = "/" end

  local db_name = "_system"
  local explicit_db = false
  do
    local name, rest = string.match(path, "^/_db/([^/?]+)(.*)$")
    if name then
      db_name = unescape(name)
      path = rest ~= "" and rest or "/"
      explicit_db = true
    end
  end

  local head_only = method == "HEAD"
  local ctx = setmetatable({
    method = method, path = path, query = M.parse_query(qs), headers = req.headers,
    body = req.body, params = {}, db_name = db_name, server = state, router = self,
    explicit_db = explicit_db, raw_query = qs,
  }, Ctx)
  req.ctx, req.on_disconnect = ctx, on_disconnect

  local done, status, body, headers, raised = self.sched:run(job, ctx)
  if done then
    local res = render(method, path, status, body, headers, raised, head_only)
    if stats then stats:request_finished(res, started) end
    return res
  end
  -- suspended (`status` is the worker): answer from the loop when the handler is done
  self.sched:when_done(status, function(s, b, h, r)
    local res = render(method, path, s, b, h, r, head_only)
    if stats then stats:request_finished(res, started) end
    if reply then reply(res) end
  end)
  return nil
end

-- Authentication, database, route and permission checks, then the handler (see the header).
function Router:_run(ctx)
  local state = self.state
  local auth = state.auth
  local path = ctx.path
  local auth_on = auth and auth.enabled
  local is_open = find(path, "^/_open/") ~= nil

  -- authentication (a bad Authorization header is a 401 even before routing)
  local user, auth_failed
  if auth_on then
    local hdr = ctx.headers.authorization
    if hdr then
      user = auth:authenticate(hdr)
      if not user then auth_failed = true end
    end
  end
  ctx.user = user

  local segs, n = split_path(path)
  local caps = {}
  local node = match(self.root, segs, 1, n, caps, 0, ctx.method)
  local route
  local params = {}
  if node then
    local handlers = node.handlers
    route = handlers[ctx.method]
    if not route and ctx.method == "HEAD" then route = handlers.GET end
    for i, name in ipairs(route.names) do params[name] = caps[i] end
  else
    node = match(self.root, segs, 1, n, {}, 0, nil)  -- exists for another method: 405
  end
  local opts = route and route.opts or {}
  is_open = is_open or opts.open

  -- the database: routes that are not db-scoped run on _system
  local db = state.store:database(ctx.db_name)
  if not db then
    if auth_on and not is_open then
      local lvl = user and auth:database_level(user, ctx.db_name) or "none"
      if lvl == "none" then
        return error_response(401, 11, "not authorized to execute this request")
      end
    end
    return error_response(404, 1228)
  end
  ctx.db = db

  if auth_on and not is_open then
    if not user or auth_failed then
      local status, body = error_response(401, 11, "not authorized to execute this request")
      return status, body, www_authenticate({}, ctx.headers)
    end
    -- a user may always read and change its own account (ArangoDB lets /_api/user/<self> pass)
    local own = segs[1] == "_api" and segs[2] == "user" and segs[3] and unescape(segs[3]) == user
    if not own and auth:database_level(user, ctx.db_name) == "none" then
      return error_response(401, 11, "not authorized to execute this request")
    end
  end

  if not node then
    return error_response(404, 404, "unknown path '" .. path .. "'")
  end
  if not route then
    return error_response(405, 405)
  end
  ctx.params = params
  ctx.route = route

  if auth_on and not is_open then
    if opts.system and auth:database_level(user, "_system") ~= "rw" then
      return error_response(403, 11)
    end
    if opts.need and not allows(auth:database_level(user, ctx.db_name), opts.need) then
      return error_response(403, 11)
    end
  end

  local status, body, headers = call_handler(route, ctx)
  if status == 401 and headers == nil then headers = www_authenticate({}, ctx.headers) end
  return status, body, headers
end

return M
