-- Authentication for the devserver: HTTP Basic against the users in _system/_users, and
-- HS256 JSON Web Tokens issued by POST /_open/auth, signed with the server's JWT secret (given
-- with --jwt-secret like ArangoDB's --server.jwt-secret, or random per server). A token signed
-- with that secret that names no user but a `server_id` is a superuser token, as in ArangoDB:
-- it acts with rw rights everywhere as the user `M.SUPERUSER` ("", no real user's name).
-- Permission lookups are delegated to devserver/users.lua; this module adds caching so that a
-- keep-alive client with Basic credentials does not pay a password hash per request.
--
--   local auth = require("arango.devserver.auth").new{ enabled, users, token_lifetime, jwt_secret }
--   auth:authenticate(authorization_header) -> user name | nil
--   auth:issue_token(user) -> JWT            auth:verify_token(jwt) -> payload | nil, reason
--   auth:database_level(user, db), auth:collection_level(user, db, col) -> "rw"|"ro"|"none"
--   M.tohex(s), M.same(a, b) (constant time), M.base64_decode, M.base64url_encode/_decode
local json = require "arango.json"

local M = {}

local core = require "arango.core" -- sha256, hmac_sha256, random_bytes, base64

-- Base64 as ArangoDB reads it: the padding of the standard alphabet may be left off, and JWT
-- parts use the URL alphabet without padding (RFC 7515).
function M.base64_decode(s)
  s = s:gsub("=+$", "")
  return core.base64_decode(s .. string.rep("=", (4 - #s % 4) % 4))
end
M.base64url_encode = core.base64url_encode
M.base64url_decode = core.base64url_decode

local function tohex(s)
  return (s:gsub(".", function(c) return string.format("%02x", c:byte()) end))
end
M.tohex = tohex

-- Constant-time string comparison (signatures, password hashes).
local function same(a, b)
  if #a ~= #b then return false end
  local diff = 0
  for i = 1, #a do diff = diff | (a:byte(i) ~ b:byte(i)) end
  return diff == 0
end
M.same = same

local Auth = {}
Auth.__index = Auth

-- The identity of superuser tokens: user names are never empty, so "" is nobody's name.
M.SUPERUSER = ""

--- A new authenticator. opts: enabled (boolean), users (devserver/users.lua object),
-- token_lifetime (seconds, default one hour like ArangoDB's session tokens), jwt_secret
-- (string; default a random secret made on first use).
function M.new(opts)
  local self = setmetatable({
    enabled = opts.enabled ~= false,
    secret = opts.jwt_secret,
    users = opts.users,
    token_lifetime = opts.token_lifetime or 3600,
    cache = {},          -- Authorization header -> { user, version, exp }
    cache_size = 0,
  }, Auth)
  return self
end

-- The signing secret, made on first use.
function Auth:get_secret()
  if not self.secret then self.secret = core.random_bytes(32) end
  return self.secret
end

--- Issues an HS256 JWT for `user` (expiring after token_lifetime seconds).
function Auth:issue_token(user)
  local now = os.time()
  local header = M.base64url_encode('{"alg":"HS256","typ":"JWT"}')
  local payload = M.base64url_encode(json.encode({
    preferred_username = user, iss = "arangodb", iat = now, exp = now + self.token_lifetime,
  }))
  local signing_input = header .. "." .. payload
  local sig = M.base64url_encode(core.hmac_sha256(self:get_secret(), signing_input))
  return signing_input .. "." .. sig
end

--- Verifies a JWT; returns its payload table or nil, reason.
function Auth:verify_token(token)
  local h, p, s = token:match("^([%w_%-]+)%.([%w_%-]+)%.([%w_%-]+)$")
  if not h then return nil, "malformed token" end
  local header_text = M.base64url_decode(h)
  local ok, header = pcall(json.decode, header_text or "")
  if not ok or type(header) ~= "table" or header.alg ~= "HS256" then return nil, "bad header" end
  local want = core.hmac_sha256(self:get_secret(), h .. "." .. p)
  local got = M.base64url_decode(s)
  if not got or not same(want, got) then return nil, "bad signature" end
  local ok2, payload = pcall(json.decode, M.base64url_decode(p) or "")
  if not ok2 or type(payload) ~= "table" then return nil, "bad payload" end
  if payload.iss ~= nil and payload.iss ~= "arangodb" then return nil, "bad issuer" end
  if type(payload.exp) == "number" and payload.exp <= os.time() then return nil, "expired" end
  return payload
end

--- Checks an Authorization header; returns the user name or nil.
function Auth:authenticate(header)
  local users = self.users
  local cached = self.cache[header]
  if cached and cached.version == users.version and (not cached.exp or cached.exp > os.time()) then
    return cached.user
  end
  local scheme, cred = header:match("^%s*(%a+)%s+(%S+)%s*$")
  if not scheme then return nil end
  scheme = scheme:lower()
  local user, exp
  if scheme == "basic" then
    local plain = M.base64_decode(cred)
    if not plain then return nil end
    local name, password = plain:match("^([^:]*):(.*)$")
    if not name then return nil end
    if not users:check_password(name, password) then return nil end
    user = name
  elseif scheme == "bearer" then
    local payload = self:verify_token(cred)
    if not payload then return nil end
    user = payload.preferred_username
    if user == nil and payload.server_id ~= nil then
      user = M.SUPERUSER
    else
      if type(user) ~= "string" or user == M.SUPERUSER then return nil end
      local rec = users:get(user)
      if not rec or not users:is_active(rec) then return nil end
    end
    exp = type(payload.exp) == "number" and payload.exp or nil
  else
    return nil
  end
  if self.cache_size > 1000 then self.cache, self.cache_size = {}, 0 end
  self.cache[header] = { user = user, version = users.version, exp = exp }
  self.cache_size = self.cache_size + 1
  return user
end

--- The effective access level ("rw", "ro", "none") of `user` on database `db`.
function Auth:database_level(user, db)
  if not self.enabled or user == M.SUPERUSER then return "rw" end
  if not user then return "none" end
  return self.users:database_level(user, db)
end

--- The effective access level of `user` on collection `col` of database `db`.
function Auth:collection_level(user, db, col)
  if not self.enabled or user == M.SUPERUSER then return "rw" end
  if not user then return "none" end
  return self.users:collection_level(user, db, col)
end

return M
