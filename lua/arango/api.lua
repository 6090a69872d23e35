--- Shared plumbing of the API classes (Database, Collection, Graph and the graph collections).
--
-- Every API method builds ONE request description and hands it to `self._executor:execute(request,
-- handler)`; async, batch and transaction executors reuse the method bodies unchanged. The request
-- runners below are that step, written once and mixed into each class with `mixin`, together with
-- the answer handlers the classes share (a missing target, a single document) and the argument
-- checks every class needs.
-- @module arango.api

local request_mod = require "arango.request"
local errors = require "arango.errors"

local M = {}

-- ========================================================================================
-- Argument checks and body helpers
-- ========================================================================================

--- Check that `value` is a non-empty string; raise `ArangoOptionError` naming `what` otherwise.
-- @param value the argument
-- @tparam string what its description, e.g. "collection name"
-- @treturn string value
function M.need_string(value, what)
  if type(value) ~= "string" or value == "" then
    errors.ArangoOptionError:raise(what .. " must be a non-empty string (got " .. type(value) .. ")")
  end
  return value
end

--- Accept either an options table or positional arguments named by `names`.
-- @param first the first argument: the options table, or the first positional value
-- @tparam {string,...} names the names of the positional arguments, in order
-- @param ... the other positional values
-- @treturn table the options table
function M.args_table(first, names, ...)
  if type(first) == "table" then return first end
  local t = {}
  local rest = { first, ... }
  for i, name in ipairs(names) do t[name] = rest[i] end
  return t
end

--- A copy of a server answer without its `code` and `error` attributes (non-tables unchanged).
-- @param body the decoded answer
-- @return the copy
function M.strip(body)
  if type(body) ~= "table" then return body end
  local out = {}
  for k, v in pairs(body) do
    if k ~= "code" and k ~= "error" then out[k] = v end
  end
  return out
end

--- Tell whether a list holds a value.
-- @tparam table list
-- @param value
-- @treturn boolean
function M.contains(list, value)
  for _, v in ipairs(list) do
    if v == value then return true end
  end
  return false
end

-- True when a failed response says the target does not exist. `missing` names what to look at:
-- `status` (HTTP status) and/or `code` (ArangoDB error number); both must match when both given.
local function is_missing(resp, missing)
  return (missing.status == nil or resp.status_code == missing.status)
    and (missing.code == nil or resp.error_code == missing.code)
end

-- ========================================================================================
-- Request runners (mixed into the classes)
-- ========================================================================================

local Runners = {}

--- Build one request, execute it, raise `err_class` unless the response is a success, and return
-- `on_success(resp)`.
-- @tparam table fields the request description (see `arango.request.new`)
-- @param err_class the operation's error class
-- @tparam function on_success `function(resp) -> result`
-- @return the result
function Runners:_run(fields, err_class, on_success)
  return self._executor:execute(request_mod.new(fields), function(resp)
    if not resp.is_success then err_class:raise_from(resp) end
    return on_success(resp)
  end)
end

--- Build one request and execute it; `handler` sees every response (it raises what it must).
-- @tparam table fields the request description
-- @tparam function handler `function(resp) -> result`
-- @return the result
function Runners:_run_raw(fields, handler)
  return self._executor:execute(request_mod.new(fields), handler)
end

--- Run a request whose target may be missing: true on success, false when the response matches
-- `missing` and `ignore_missing` is set, `err_class` raised otherwise. This is both the
-- "delete with ignore_missing" and (with `ignore_missing = true`) the "has_*" shape.
-- @tparam table fields the request description
-- @param err_class the operation's error class
-- @tparam table missing `{status = 404, code = 1203}` (either or both): how a missing target answers
-- @tparam boolean ignore_missing whether a missing target answers false instead of raising
-- @treturn boolean
function Runners:_run_found(fields, err_class, missing, ignore_missing)
  return self:_run_raw(fields, function(resp)
    if resp.is_success then return true end
    if ignore_missing and is_missing(resp, missing) then return false end
    err_class:raise_from(resp)
  end)
end

--- Run a single-document request: the success answer goes to `on_success`; a failed precondition
-- (412, and 304 when `t.read`) raises `DocumentRevisionError`; a missing document (404 with
-- error 1202) answers `t.missing_value` when `t.ignore_missing`; anything else raises `err_class`.
-- @tparam table fields the request description
-- @param err_class the operation's error class
-- @tparam function on_success `function(resp) -> result`
-- @tparam[opt] table t `{read = false, ignore_missing = false, missing_value = nil}`
-- @return the result
function Runners:_run_document(fields, err_class, on_success, t)
  t = t or {}
  return self:_run_raw(fields, function(resp)
    if resp.is_success then return on_success(resp) end
    if resp.status_code == 412 or (t.read and resp.status_code == 304) then
      errors.DocumentRevisionError:raise_from(resp)
    end
    if t.ignore_missing and resp.status_code == 404 and resp.error_code == 1202 then
      return t.missing_value
    end
    err_class:raise_from(resp)
  end)
end

-- ========================================================================================
-- Named handles (collections and graphs)
-- ========================================================================================

local Handle = {}

--- The name of this collection or graph.
-- @treturn string
function Handle:name() return self._name end

--- The name of the database this collection or graph belongs to.
-- @treturn string
function Handle:db_name() return self._db:name() end

--- The database handle this collection or graph belongs to.
-- @return the `arango.database` Database
function Handle:database() return self._db end

local function copy_into(class, methods)
  for k, v in pairs(methods) do class[k] = v end
  return class
end

--- Add the request runners (`_run`, `_run_raw`, `_run_found`, `_run_document`) to a class whose
-- instances carry `_executor`.
-- @tparam table class
-- @treturn table class
function M.mixin(class)
  return copy_into(class, Runners)
end

--- Add the runners and the named-handle accessors (`name`, `db_name`, `database`) to a class
-- whose instances come from `new_handle`.
-- @tparam table class
-- @treturn table class
function M.mixin_handle(class)
  return copy_into(M.mixin(class), Handle)
end

--- Create a handle on something named in a database; it runs its requests through the database
-- handle's executor.
-- @tparam table class the handle's class (its metatable)
-- @param db the `arango.database` Database
-- @tparam string name
-- @return the handle
function M.new_handle(class, db, name)
  return setmetatable({ _db = db, _executor = db._executor, _name = name }, class)
end

return M
