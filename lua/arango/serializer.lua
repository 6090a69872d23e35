--- Serialization of request bodies and deserialization of response bodies.
--
-- The default is `arango.json` (exact integers, `json.null`, array/object markers). Any pair of
-- functions works instead, e.g. cjson's: `arango.client{serializer = cjson.encode,
-- deserializer = cjson.decode}`.
-- @module arango.serializer

local M = {}

local json_mod
local function json()
  if not json_mod then json_mod = require "arango.json" end
  return json_mod
end

--- The default serializer: `arango.json.encode`.
-- @param value a Lua value
-- @treturn string JSON text
function M.encode(value) return json().encode(value) end

--- The default deserializer: `arango.json.decode`.
-- @tparam string text JSON text
-- @return the decoded value
function M.decode(text) return json().decode(text) end

--- The JSON null sentinel of the default codec.
-- @return `arango.json.null`
function M.null() return json().null end

--- Mark a table as a JSON array (so that an empty one encodes as `[]`).
-- Works with the default codec; returns the table unchanged otherwise.
-- @tparam table t
-- @treturn table t
function M.array(t)
  local ok, j = pcall(json)
  if ok and j.array then return j.array(t) end
  return t
end

--- Mark a table as a JSON object (so that an empty one encodes as `{}`).
-- @tparam table t
-- @treturn table t
function M.object(t)
  local ok, j = pcall(json)
  if ok and j.object then return j.object(t) end
  return t
end

return M
