-- Authentication for the devserver: HTTP Basic against the users in _system/_users, and
-- HS256 JSON Web Tokens issued by POST /_open/auth and signed with a per-server random secret.
-- Permission lookups are delegated to devserver/users.lua; this module adds caching so that a
-- keep-alive client with Basic credentials does not pay a password hash per request.
local json = require "arango.json"

local M = {}

-- crypto comes from the C core (arango.core: hmac_sha256, sha256, random_bytes); it is loaded
-- lazily so that modules which only need permissions load without it.
local core
local function crypto()
  if not core then core = require "arango.core" end
  return core
end
M.crypto = crypto

-- base64 (standard and URL alphabets) in plain Lua 5.4: small and only used for headers.
local STD = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
local URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
local function make_decode_map(alpha)
  local map = {}
  for i = 1, 64 do map[alpha:byte(i)] = i - 1 end
  return map
end
local STD_MAP, URL_MAP = make_decode_map(STD), make_decode_map(URL)

local function b64encode(s, alpha, pad)
  local out, n = {}, 0
  for i = 1, #s, 3 do
    local a, b, c = s:byte(i, i + 2)
    local v = (a << 16) | ((b or 0) << 8) | (c or 0)
    local c1, c2, c3, c4 = (v >> 18) & 63, (v >> 12) & 63, (v >> 6) & 63, v & 63
    n = n + 1
    if c then
      out[n] = alpha:sub(c1 + 1, c1 + 1) .. alpha:sub(c2 + 1, c2 + 1) .. alpha:sub(c3 + 1, c3 + 1)
        .. alpha:sub(c4 + 1, c4 + 1)
    elseif b then
      out[n] = alpha:sub(c1 + 1, c1 + 1) .. alpha:sub(c2 + 1, c2 + 1) .. alpha:sub(c3 + 1, c3 + 1)
        .. (pad and "=" or "")
    else
      out[n] = alpha:sub(c1 + 1, c1 + 1) .. alpha:sub(c2 + 1, c2 + 1) .. (pad and "==" or "")
    end
  end
  return table.concat(out)
end

local function b64decode(s, map)
  s = s:gsub("=+$", "")
  if #s % 4 == 1 then return nil end
  local out, n = {}, 0
  for i = 1, #s, 4 do
    local v, bits = 0, 0
    for j = i, math.min(i + 3, #s) do
      local d = map[s:byte(j)]
      if not d then return nil end
      v = (v << 6) | d
      bits = bits + 6
    end
    local bytes = bits // 8
    v = v >> (bits - bytes * 8)
    for k = bytes - 1, 0, -1 do
      n = n + 1
      out[n] = string.char((v >> (8 * k)) & 255)
    end
  end
  return table.concat(out)
end

function M.base64_encode(s) return b64encode(s, STD, true) end
function M.base64_decode(s) return b64decode(s, STD_MAP) end
function M.base64url_encode(s) return b64encode(s, URL, false) end
function M.base64url_decode(s) return b64decode(s, URL_MAP) end

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

--- A new authenticator. opts: enabled (boolean), users (devserver/users.lua object),
-- token_lifetime (seconds, default one hour like ArangoDB's session tokens).
function M.new(opts)
  local self = setmetatable({
    enabled = opts.enabled ~= false,
    users = opts.users,
    token_lifetime = opts.token_lifetime or 3600,
    cache = {},          -- Authorization header -> { user, version, exp }
    cache_size = 0,
  }, Auth)
  return self
end

-- The signing secret, made on first use (so a server without auth needs no crypto at start).
function Auth:get_secret()
  if not self.secret then self.secret = crypto().random_bytes(32) end
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
  local sig = M.base64url_encode(crypto().hmac_sha256(self:get_secret(), signing_input))
  return signing_input .. "." .. sig
end

--- Verifies a JWT; returns its payload table or nil, reason.
function Auth:verify_token(token)
  local h, p, s = token:match("^([%w_%-]+)%.([%w_%-]+)%.([%w_%-]+)$")
  if not h then return nil, "malformed token" end
  local header_text = M.base64url_decode(h)
  local ok, header = pcall(json.decode, header_text or "")
  if not ok or type(header) ~= "table" or header.alg ~= "HS256" then return nil, "bad header" end
  local want = crypto().hmac_sha256(self:get_secret(), h .. "." .. p)
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
    if type(user) ~= "string" then return nil end
    local rec = users:get(user)
    if not rec or not users:is_active(rec) then return nil end
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
  if not self.enabled then return "rw" end
  if not user then return "none" end
  return self.users:database_level(user, db)
end

--- The effective access level of `user` on collection `col` of database `db`.
function Auth:collection_level(user, db, col)
  if not self.enabled then return "rw" end
  if not user then return "none" end
  return self.users:collection_level(user, db, col)
end

return M
