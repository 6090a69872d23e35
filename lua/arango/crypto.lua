--- Crypto helpers used for JWT handling.
--
-- Isolated in one module so that another transport (for example OpenResty, with its own
-- HMAC and base64 functions) can replace it: `package.loaded["arango.crypto"] = my_impl`
-- before requiring the driver. The default implementation uses `arango.core`.
-- @module arango.crypto

local M = {}

local core
local function get_core()
  if not core then core = require "arango.core" end
  return core
end

--- HMAC-SHA256 of `data` with `key`.
-- @tparam string key secret key
-- @tparam string data message
-- @treturn string raw 32-byte digest
function M.hmac_sha256(key, data) return get_core().hmac_sha256(key, data) end

--- Base64url encoding without padding (as JWT uses).
-- @tparam string s raw bytes
-- @treturn string
function M.base64url_encode(s)
  return (get_core().base64url_encode(s):gsub("=+$", ""))
end

--- Base64url decoding (padding optional).
-- @tparam string s encoded text
-- @treturn ?string the bytes, or nil on bad input
function M.base64url_decode(s)
  local pad = #s % 4
  if pad == 2 then s = s .. "==" elseif pad == 3 then s = s .. "=" end
  return get_core().base64url_decode(s)
end

--- Standard base64 encoding (for HTTP basic auth).
-- @tparam string s raw bytes
-- @treturn string
function M.base64_encode(s) return get_core().base64_encode(s) end

--- Make an HS256-signed JWT.
-- @tparam string secret the signing secret
-- @tparam table payload claims
-- @tparam function encode JSON encoder (table -> string)
-- @treturn string the token
function M.jwt_hs256(secret, payload, encode)
  local header = M.base64url_encode('{"alg":"HS256","typ":"JWT"}')
  local body = M.base64url_encode(encode(payload))
  local signing_input = header .. "." .. body
  return signing_input .. "." .. M.base64url_encode(M.hmac_sha256(secret, signing_input))
end

--- Read the payload of a JWT without verifying it (to learn its `exp`).
-- @tparam string token the JWT
-- @tparam function decode JSON decoder (string -> value)
-- @treturn ?table the claims, or nil when the token is not a readable JWT
function M.jwt_payload(token, decode)
  local body = type(token) == "string" and token:match("^[^.]+%.([^.]+)%.[^.]*$")
  if not body then return nil end
  local raw = M.base64url_decode(body)
  if not raw then return nil end
  local ok, claims = pcall(decode, raw)
  if ok and type(claims) == "table" then return claims end
  return nil
end

return M
