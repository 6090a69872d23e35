--- AQL query builder: query text and values travel apart, so a value can never become AQL.
--
-- Available as `arango.aql` (this module is `arango.aql_query`; `db.aql` is the query API of a
-- database, module `arango.aql`). Both forms return a query object `{query = text,
-- bind_vars = {...}}` that `db.aql:execute`, `explain` and `validate` accept.
--
--     local aql = require("arango").aql
--     -- Positional form: arguments alternate between query text and values.
--     local q = aql("FOR d IN ", students, " FILTER d.age >= ", min_age, " RETURN d")
--     --> q.query == "FOR d IN @@value1 FILTER d.age >= @value2 RETURN d"
--     -- Template form: ${name} placeholders take their values from a table.
--     q = aql.template("FOR d IN ${col} FILTER d.name == ${name} RETURN d",
--       { col = students, name = user_input })
--     --> "FOR d IN @@col FILTER d.name == @name RETURN d"
--     db.aql:execute(q, { batch_size = 100 })
--
-- Every value becomes a bind variable, whatever it holds: an injection attempt such as
-- `'x" || true || "'` is compared as a string, never parsed. Collection objects (anything from
-- `db:collection(name)`) and `aql.collection(name)` become collection bind variables (`@@name`);
-- a graph object stands for its name (a plain bind variable, for `GRAPH ${g}`).
-- Only three things are spliced into the text: the text arguments themselves, `aql.literal(text)`
-- (trusted text, e.g. a sort direction chosen from a fixed list) and nested query objects (whose
-- values are re-bound in the outer query). The same value (string, boolean, table or collection)
-- used twice shares one bind variable.
-- @module arango.aql_query

local errors = require "arango.errors"

local M = {}

-- Misuse of the builder (a nil value, a bad placeholder ...) raises this client-side class.
local BuildError = errors.AQLQueryBuildError

local Query = {}
Query.__index = Query
M.Query = Query

local Literal = {}
Literal.__index = Literal

local CollectionRef = {}
CollectionRef.__index = CollectionRef

local function fail(message)
  BuildError:raise("arango.aql: " .. message)
end

--- Tell whether a value is a query object made by this module.
-- @param v anything
-- @treturn boolean
function M.is_query(v) return getmetatable(v) == Query end

--- Tell whether a value is a literal made by `aql.literal`.
-- @param v anything
-- @treturn boolean
function M.is_literal(v) return getmetatable(v) == Literal end

local collection_class
local function is_driver_collection(v)
  collection_class = collection_class or require("arango.collection").Collection
  local mt = getmetatable(v)
  for _ = 1, 10 do   -- Collection <- VertexCollection <- EdgeCollection: a short chain
    if mt == nil or type(mt) ~= "table" then return false end
    if mt == collection_class then return true end
    local up = getmetatable(mt)
    mt = up and rawget(up, "__index")
  end
  return false
end

--- Tell whether a value names a collection: a collection object of the driver
-- (`db:collection(name)`, graph vertex and edge collections) or `aql.collection(name)`.
-- @param v anything
-- @treturn boolean
function M.is_collection(v)
  if type(v) ~= "table" then return false end
  if getmetatable(v) == CollectionRef then return true end
  return is_driver_collection(v)
end

--- Trusted text to splice into a query as is (never use it for input from outside).
-- @tparam string|number text AQL text
-- @return a literal, usable as a value in `aql(...)`, `aql.template` and `aql.join`
function M.literal(text)
  if type(text) == "number" then text = tostring(text) end
  if type(text) ~= "string" then fail("literal(text): text must be a string (got " .. type(text) .. ")") end
  return setmetatable({ text = text }, Literal)
end

--- A collection given by name, bound as a collection bind variable (`@@name`).
-- @tparam string name collection name
-- @return a collection reference, usable as a value
function M.collection(name)
  if type(name) ~= "string" or name == "" then
    fail("collection(name): name must be a non-empty string (got " .. type(name) .. ")")
  end
  return setmetatable({ _coll = name }, CollectionRef)
end

local function collection_name(v)
  if getmetatable(v) == CollectionRef then return v._coll end
  return v:name()
end

-- A query is kept as segments: strings (text) and {value, hint} records (values). Nested queries
-- are spliced segment by segment, so their values get names in the outer query.
local function add_value(segments, value, hint, where)
  if value == nil then
    fail(where .. " is nil (use arango.json.null for AQL null)")
  end
  if getmetatable(value) == Literal then
    segments[#segments + 1] = value.text
  elseif getmetatable(value) == Query then
    for _, s in ipairs(value._segments) do segments[#segments + 1] = s end
  else
    -- other driver objects with a name (a graph, for `GRAPH ${g}`) stand for that name
    if type(value) == "table" and getmetatable(value) ~= nil and not M.is_collection(value)
      and type(value.name) == "function" and type(rawget(value, "_name")) == "string" then
      value = value:name()
    end
    local tv = type(value)
    if tv == "function" or tv == "thread" or (tv == "userdata" and value ~= M.null()) then
      fail(where .. " cannot be sent as a bind variable (a " .. tv .. ")")
    end
    if tv == "number" and (value ~= value or value == math.huge or value == -math.huge) then
      fail(where .. " is not a finite number")
    end
    segments[#segments + 1] = { value = value, hint = hint }
  end
end

--- The JSON null sentinel (`arango.json.null`), loaded when first needed.
-- @return json.null (nil when the C codec is not available)
function M.null()
  local ok, json = pcall(require, "arango.json")
  return ok and json.null or nil
end

local function unique_name(used, base)
  if not used[base] then return base end
  local i = 2
  while used[base .. "_" .. i] do i = i + 1 end
  return base .. "_" .. i
end

-- Renders segments into query text and bind variables.
local function build(segments)
  local parts, bind = {}, {}
  local used = {}         -- bind variable names taken (without the leading @)
  local by_value = {}     -- dedup key -> "@name" or "@@name"
  local by_hint = {}      -- placeholder name -> { value, ref } of its first use
  local counter = 0
  for _, s in ipairs(segments) do
    if type(s) == "string" then
      parts[#parts + 1] = s
    else
      local v = s.value
      local is_coll = M.is_collection(v)
      local key
      if is_coll then key = "c\0" .. collection_name(v)
      elseif type(v) == "string" then key = "s\0" .. v
      elseif type(v) == "boolean" or type(v) == "table" or type(v) == "userdata" then key = v end
      -- numbers are not shared: 1 and 1.0 are equal keys in Lua but different JSON
      local ref = key ~= nil and by_value[key] or nil
      -- a template placeholder used twice holds the same value: one variable (numbers too)
      local prior = s.hint and by_hint[s.hint]
      if not ref and prior and rawequal(prior.value, v) and tostring(prior.value) == tostring(v) then
        ref = prior.ref
      end
      if not ref then
        local base = s.hint
        if not base then
          counter = counter + 1
          base = "value" .. counter
          while used[base] do counter = counter + 1; base = "value" .. counter end
        end
        local name = unique_name(used, base)
        used[name] = true
        if is_coll then
          bind["@" .. name] = collection_name(v)
          ref = "@@" .. name
        else
          bind[name] = v
          ref = "@" .. name
        end
        if key ~= nil then by_value[key] = ref end
        if s.hint and not by_hint[s.hint] then by_hint[s.hint] = { value = v, ref = ref } end
      end
      parts[#parts + 1] = ref
    end
  end
  return setmetatable({ query = table.concat(parts), bind_vars = bind, _segments = segments }, Query)
end

local function text_segment(segments, v, i)
  if type(v) == "string" then
    segments[#segments + 1] = v
  elseif getmetatable(v) == Literal or getmetatable(v) == Query then
    add_value(segments, v, nil, "argument " .. i)
  else
    fail("argument " .. i .. " must be query text (a string), a literal or a query (got " .. type(v)
      .. "); values go in even positions", 3)
  end
end

--- Build a query from alternating text and values: `aql(text, value, text, value, ..., text)`.
-- Odd arguments are query text, even arguments are values (bind variables). Called as
-- `arango.aql(...)`.
-- @tparam string text query text
-- @param ... values and more text, alternating
-- @return a query object `{query, bind_vars}`
function M.query(...)
  local n = select("#", ...)
  if n == 0 then fail("aql(): needs query text") end
  local segments = {}
  for i = 1, n do
    local v = select(i, ...)
    if i % 2 == 1 then
      text_segment(segments, v, i)
    else
      add_value(segments, v, nil, "argument " .. i)
    end
  end
  return build(segments)
end

--- Build a query from a template: every `${name}` is replaced by a bind variable named `name`
-- holding `values[name]` (a collection: `@@name`; a literal or a query: spliced).
-- Every placeholder needs a value, and every value a placeholder.
-- @tparam string text query text with `${name}` placeholders (`name`: letters, digits, `_`)
-- @tparam[opt] table values `{name = value, ...}`
-- @return a query object `{query, bind_vars}`
function M.template(text, values)
  if type(text) ~= "string" then fail("template(text, values): text must be a string") end
  if values ~= nil and type(values) ~= "table" then
    fail("template(text, values): values must be a table")
  end
  values = values or {}
  local segments, seen = {}, {}
  local pos = 1
  while true do
    local s, e, name = text:find("%${([^}]*)}", pos)
    if not s then break end
    if not name:match("^[%a_][%w_]*$") then
      fail("template: bad placeholder name '${" .. name .. "}' (letters, digits and _ only)")
    end
    if s > pos then segments[#segments + 1] = text:sub(pos, s - 1) end
    add_value(segments, values[name], name, "template value '" .. name .. "'")
    seen[name] = true
    pos = e + 1
  end
  local rest = text:sub(pos)
  if rest:find("${", 1, true) then fail("template: unclosed placeholder in '" .. rest .. "'") end
  if rest ~= "" then segments[#segments + 1] = rest end
  for k in pairs(values) do
    if not seen[k] then fail("template: value '" .. tostring(k) .. "' has no ${" .. tostring(k)
      .. "} placeholder") end
  end
  return build(segments)
end

--- Join values (bound) and queries or literals (spliced) with a separator.
-- @tparam table list array of values, queries and literals
-- @tparam[opt] string sep trusted separator text (default " "), or a literal
-- @return a query object `{query, bind_vars}`
function M.join(list, sep)
  if type(list) ~= "table" or getmetatable(list) == Query or getmetatable(list) == Literal then
    fail("join(list, sep): list must be an array table")
  end
  if sep == nil then sep = " " end
  if getmetatable(sep) == Literal then sep = sep.text end
  if type(sep) ~= "string" then fail("join(list, sep): sep must be a string or a literal") end
  local segments = {}
  local n = #list
  for k in pairs(list) do
    if type(k) ~= "number" or k < 1 or k > n or k ~= math.floor(k) then
      fail("join(list, sep): list must be an array (key " .. tostring(k) .. ")")
    end
  end
  for i = 1, n do
    if i > 1 and sep ~= "" then segments[#segments + 1] = sep end
    add_value(segments, list[i], nil, "join item " .. i)
  end
  return build(segments)
end

--- The query text (for logs; the values are not in it).
-- @treturn string
function Query:__tostring() return self.query end

setmetatable(M, {
  __call = function(_, ...) return M.query(...) end,
})

return M
