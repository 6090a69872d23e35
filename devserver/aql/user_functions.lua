-- Storage of AQL user functions (/_api/aqlfunction) in the database's `_aqlfunctions` system
-- collection, like ArangoDB (so they persist with the data). Documents: { _key = upper-case
-- name with "::" as ":", name, code, isDeterministic }. The devserver cannot run their
-- JavaScript; see Query:user_function.
local M = {}

local function key_of(name)
  return (name:upper():gsub("::", ":"))
end

local function collection(db)
  return db and db:collection("_aqlfunctions")
end

--- The stored function named `name` (case-insensitive), or nil.
function M.get(db, name)
  local col = collection(db)
  if not col then return nil end
  return col:get(key_of(name))
end

--- Stores or replaces a function { name, code, isDeterministic }; returns true when it is new.
function M.put(db, fn)
  local col = assert(collection(db), "database has no _aqlfunctions collection")
  local doc = { _key = key_of(fn.name), name = fn.name, code = fn.code,
    isDeterministic = fn.isDeterministic and true or false }
  local _, outcome = col:insert(doc, { overwriteMode = "replace" })
  return outcome == "created"
end

--- Removes one function, or with `group` every function in namespace `name::`; returns the count.
function M.remove(db, name, group)
  local col = collection(db)
  if not col then return 0 end
  local up = name:upper()
  local victims = {}
  for d in col:iterate() do
    local n = type(d.name) == "string" and d.name:upper() or ""
    if n == up or (group and n:sub(1, #up + 2) == up .. "::") then victims[#victims + 1] = d._key end
  end
  for _, k in ipairs(victims) do col:remove(k) end
  return #victims
end

--- All functions (optionally only those in namespace `ns`), sorted by name.
function M.list(db, ns)
  local col = collection(db)
  local out = {}
  if not col then return out end
  local prefix = ns and ns:upper() .. "::"
  for d in col:iterate() do
    local n = type(d.name) == "string" and d.name or ""
    if not prefix or n:upper():sub(1, #prefix) == prefix then out[#out + 1] = d end
  end
  table.sort(out, function(a, b) return a.name < b.name end)
  return out
end

return M
