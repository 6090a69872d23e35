-- Collection schemas: ArangoDB's {rule, level, message} with a JSON-Schema validator for the
-- subset people use in collection rules: type, enum, const, properties, required,
-- additionalProperties, patternProperties, items, min/maxItems, uniqueItems, minimum/maximum
-- (+ exclusive), multipleOf, min/maxLength, pattern, min/maxProperties, allOf/anyOf/oneOf/not.
-- Violations raise 400/1620 with the schema's message, like ArangoDB.
local json = require "arango.json"
local errors = require "arango.devserver.errors"
-- One regular expression engine serves AQL (REGEX_*, =~) and schema `pattern`s.
local regex = require "arango.devserver.aql.functions.regex"

local M = {}

-- The compiled pattern, or nil when it is invalid. JSON Schema patterns are ECMA-262 regular
-- expressions, so the engine runs in its ECMAScript dialect.
local function compile_pattern(pattern)
  return (regex.compile(pattern, false, { ecmascript = true }))
end

-- True when `pattern` matches somewhere in `s` (JavaScript's RegExp.test); an invalid pattern
-- matches nothing.
local function pattern_test(pattern, s)
  local re = compile_pattern(pattern)
  return re ~= nil and regex.test(re, s)
end

local LEVELS = { none = true, new = true, moderate = true, strict = true }
-- System attributes are not part of what a rule sees (ArangoDB strips them before validating).
local SYSTEM = { _key = true, _id = true, _rev = true, _from = true, _to = true }

--- True when `v` is a JSON array (decoded arrays carry json.array_mt; Lua-built ones are
-- sequences).
function M.is_array(v)
  if type(v) ~= "table" then return false end
  local mt = getmetatable(v)
  if mt == json.array_mt then return true end
  if mt == json.object_mt then return false end
  local n = #v
  if n == 0 then return false end
  local count = 0
  for _ in pairs(v) do count = count + 1 end
  return count == n
end
local is_array = M.is_array

local function json_type(v)
  local t = type(v)
  if v == json.null or v == nil then return "null" end
  if t == "boolean" then return "boolean" end
  if t == "number" then return "number" end
  if t == "string" then return "string" end
  if t == "table" then return is_array(v) and "array" or "object" end
  return t
end

local function deep_equal(a, b)
  if a == b then return true end
  if type(a) == "number" and type(b) == "number" then return a == b end
  if type(a) ~= "table" or type(b) ~= "table" then return false end
  if is_array(a) ~= is_array(b) then return false end
  for k, v in pairs(a) do if not deep_equal(v, b[k]) then return false end end
  for k in pairs(b) do if a[k] == nil then return false end end
  return true
end
M.deep_equal = deep_equal

local function type_matches(want, v)
  local have = json_type(v)
  if want == have then return true end
  if want == "integer" then return have == "number" and v == math.floor(v) end
  return false
end

local validate

local function check(rule, v)
  if rule == true or rule == nil then return true end
  if rule == false then return false end
  if type(rule) ~= "table" then return true end
  local t = rule.type
  if t ~= nil then
    if type(t) == "string" then
      if not type_matches(t, v) then return false end
    elseif type(t) == "table" then
      local any = false
      for _, w in ipairs(t) do if type_matches(w, v) then any = true break end end
      if not any then return false end
    end
  end
  if rule.enum ~= nil and type(rule.enum) == "table" then
    local found = false
    for _, e in ipairs(rule.enum) do if deep_equal(e, v) then found = true break end end
    if not found then return false end
  end
  if rule.const ~= nil and not deep_equal(rule.const, v) then return false end
  local jt = json_type(v)
  if jt == "number" then
    if type(rule.minimum) == "number" and v < rule.minimum then return false end
    if type(rule.maximum) == "number" and v > rule.maximum then return false end
    if type(rule.exclusiveMinimum) == "number" and v <= rule.exclusiveMinimum then return false end
    if type(rule.exclusiveMaximum) == "number" and v >= rule.exclusiveMaximum then return false end
    if type(rule.multipleOf) == "number" and rule.multipleOf > 0 then
      local q = v / rule.multipleOf
      if q ~= math.floor(q) then return false end
    end
  elseif jt == "string" then
    local len = utf8.len(v) or #v
    if type(rule.minLength) == "number" and len < rule.minLength then return false end
    if type(rule.maxLength) == "number" and len > rule.maxLength then return false end
    if type(rule.pattern) == "string" and not pattern_test(rule.pattern, v) then return false end
  elseif jt == "array" then
    local n = #v
    if type(rule.minItems) == "number" and n < rule.minItems then return false end
    if type(rule.maxItems) == "number" and n > rule.maxItems then return false end
    local items = rule.items
    if is_array(items) then
      for i, sub in ipairs(items) do
        if i <= n and not validate(sub, v[i]) then return false end
      end
      if rule.additionalItems == false and n > #items then return false end
    elseif items ~= nil then
      for i = 1, n do if not validate(items, v[i]) then return false end end
    end
    if rule.uniqueItems == true then
      for i = 1, n do
        for j = i + 1, n do if deep_equal(v[i], v[j]) then return false end end
      end
    end
    if rule.contains ~= nil then
      local any = false
      for i = 1, n do if validate(rule.contains, v[i]) then any = true break end end
      if not any then return false end
    end
  elseif jt == "object" then
    local props = type(rule.properties) == "table" and rule.properties or {}
    if type(rule.required) == "table" then
      for _, name in ipairs(rule.required) do
        if v[name] == nil then return false end
      end
    end
    local count = 0
    for k, x in pairs(v) do
      if not (rule._top and SYSTEM[k]) then
        count = count + 1
        local matched = false
        if props[k] ~= nil then
          matched = true
          if not validate(props[k], x) then return false end
        end
        if type(rule.patternProperties) == "table" then
          for pat, sub in pairs(rule.patternProperties) do
            if pattern_test(pat, k) then
              matched = true
              if not validate(sub, x) then return false end
            end
          end
        end
        if not matched and rule.additionalProperties ~= nil then
          if not validate(rule.additionalProperties, x) then return false end
        end
      end
    end
    if type(rule.minProperties) == "number" and count < rule.minProperties then return false end
    if type(rule.maxProperties) == "number" and count > rule.maxProperties then return false end
  end
  if type(rule.allOf) == "table" then
    for _, sub in ipairs(rule.allOf) do if not validate(sub, v) then return false end end
  end
  if type(rule.anyOf) == "table" then
    local any = false
    for _, sub in ipairs(rule.anyOf) do if validate(sub, v) then any = true break end end
    if not any then return false end
  end
  if type(rule.oneOf) == "table" then
    local hits = 0
    for _, sub in ipairs(rule.oneOf) do if validate(sub, v) then hits = hits + 1 end end
    if hits ~= 1 then return false end
  end
  if rule["not"] ~= nil and validate(rule["not"], v) then return false end
  return true
end
validate = check

--- Normalises a collection's `schema` property. Returns nil for "no schema" (null or {}), or
-- the stored schema {rule, level, message, type = "json"}; raises 400/1621 when malformed.
function M.normalize(schema)
  if schema == nil or schema == json.null then return nil end
  if type(schema) ~= "table" or is_array(schema) then errors.raise(400, 1621) end
  if next(schema) == nil then return nil end
  local rule = schema.rule
  if type(rule) ~= "table" or is_array(rule) then
    errors.raise(400, 1621, "invalid schema validation parameter: schema rule must be an object")
  end
  local level = schema.level
  if level == nil then level = "strict" end
  if not LEVELS[level] then
    errors.raise(400, 1621, "invalid schema validation parameter: invalid level '" .. tostring(level) .. "'")
  end
  local message = schema.message
  if message == nil then message = "Schema violation" end
  if type(message) ~= "string" then
    errors.raise(400, 1621, "invalid schema validation parameter: message must be a string")
  end
  if type(rule.pattern) == "string" and not compile_pattern(rule.pattern) then
    errors.raise(400, 1621, "invalid schema validation parameter: invalid pattern")
  end
  return { rule = rule, level = level, message = message, type = "json" }
end

--- True when `doc` satisfies the rule (system attributes are not seen by the rule).
function M.valid(schema, doc)
  local rule = schema.rule
  -- mark the top level so additionalProperties/properties skip system attributes
  local top = setmetatable({ _top = true }, { __index = rule })
  return check(top, doc)
end

--- Checks a write. `op` is "insert", "update" or "replace"; `old` the previous document.
-- Raises 400/1620 with the schema's message when the level demands a valid document.
function M.check(schema, op, new, old)
  if not schema or schema.level == "none" then return end
  if schema.level == "new" and op ~= "insert" then return end
  if schema.level == "moderate" and op ~= "insert" and old and not M.valid(schema, old) then return end
  if not M.valid(schema, new) then errors.raise(400, 1620, schema.message) end
end

return M
