--- Translation of snake_case option tables into ArangoDB's parameter names.
-- Unknown option names are errors (a typo must not be silently ignored).
-- @module arango.options

local errors = require "arango.errors"

local M = {}

--- Check that every key of `opts` is known.
-- @tparam ?table opts the caller's options
-- @tparam table known set (or map) of accepted names
-- @tparam string what the operation, for the error message
-- @treturn table opts (or an empty table)
function M.check(opts, known, what)
  if opts == nil then return {} end
  if type(opts) ~= "table" then
    errors.ArangoOptionError:raise(what .. ": options must be a table (got " .. type(opts) .. ")")
  end
  for k in pairs(opts) do
    if known[k] == nil then
      errors.ArangoOptionError:raise(what .. ": unknown option '" .. tostring(k) .. "'")
    end
  end
  return opts
end

--- Copy the options named in `map` into `out` under their server names.
-- Entries of `map` whose value is `false` are accepted but not copied (the caller handles them).
-- @tparam ?table opts the caller's options
-- @tparam table map `{snake_name = "serverName" | false}`
-- @tparam string what the operation, for error messages
-- @tparam[opt] table out destination (default a new table)
-- @treturn table out
function M.map(opts, map, what, out)
  out = out or {}
  opts = M.check(opts, map, what)
  for k, v in pairs(opts) do
    local name = map[k]
    if name then out[name] = v end
  end
  return out
end

--- Merge several maps into one (later ones win).
-- @tparam table ... maps
-- @treturn table
function M.merge(...)
  local out = {}
  for i = 1, select("#", ...) do
    for k, v in pairs((select(i, ...))) do out[k] = v end
  end
  return out
end

return M
