-- AQL type check and cast functions.
local U = require "arango.devserver.aql.functions.util"
local V = U.V
local def = U.def
local null = V.null

local F = {}

def(F, "TO_BOOL", 1, 1, function(_, a) return V.to_bool(a[1]) end)
def(F, "TO_NUMBER", 1, 1, function(_, a) return V.to_number(a[1]) end)
def(F, "TO_STRING", 1, 1, function(_, a) return V.to_string(a[1]) end)
def(F, "TO_ARRAY", 1, 1, function(_, a) return V.to_array(a[1]) end)
def(F, "IS_NULL", 1, 1, function(_, a) return a[1] == null end)
def(F, "IS_BOOL", 1, 1, function(_, a) return type(a[1]) == "boolean" end)
def(F, "IS_NUMBER", 1, 1, function(_, a) return type(a[1]) == "number" end)
def(F, "IS_STRING", 1, 1, function(_, a) return type(a[1]) == "string" end)
def(F, "IS_ARRAY", 1, 1, function(_, a) return V.is_array(a[1]) end)
def(F, "IS_OBJECT", 1, 1, function(_, a) return V.is_object(a[1]) end)
def(F, "TYPENAME", 1, 1, function(_, a) return V.type_name(a[1]) end)

--- Valid document key: 1..254 bytes of the allowed characters.
local function is_key(v)
  return type(v) == "string" and #v >= 1 and #v <= 254
    and v:match("^[%w_%-:%.@%(%)%+,=;%$!%*'%%]+$") ~= nil
end
F.is_key = is_key
def(F, "IS_KEY", 1, 1, function(_, a) return is_key(a[1]) end)

def(F, "IS_DATESTRING", 1, 1, function(_, a)
  if type(a[1]) ~= "string" then return false end
  local date = require "arango.devserver.aql.functions.date"
  return date.parse_datestring(a[1]) ~= nil
end)

local F_out = {}
for k, v in pairs(F) do
  if type(v) == "table" then F_out[k] = v end
end
F_out.is_key = nil
return F_out
