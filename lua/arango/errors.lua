--- Error classes raised by the driver.
--
-- Every failure is raised with `error(obj)` where `obj` is an instance of one of the classes below;
-- catch it with `pcall` and test it with `err:is(errors.DocumentInsertError)` (or a class name).
-- The tree is rooted at `ArangoError`: server answers become `ArangoServerError` subclasses (one per
-- operation, as in python-arango), client-side problems become `ArangoClientError` subclasses, and
-- transport failures become `ArangoConnectionError` (with the core's `kind`).
--
-- Error objects never hold a password or token: the request they carry is a redacted copy.
-- @module arango.errors

local M = {}

local function format_message(err)
  local parts = {}
  if err.http_code then parts[#parts + 1] = "[HTTP " .. tostring(err.http_code) .. "]" end
  if err.error_code then parts[#parts + 1] = "[ERR " .. tostring(err.error_code) .. "]" end
  if err.kind then parts[#parts + 1] = "[" .. err.kind .. "]" end
  local text = err.error_message or err.message or "unknown error"
  if #parts > 0 then return table.concat(parts) .. " " .. text end
  return text
end

local function error_tostring(err)
  local mt = getmetatable(err)
  return (mt and mt.name or "ArangoError") .. ": " .. tostring(err.message)
end

local function is_a(self, class)
  local mt = getmetatable(self)
  if type(class) == "string" then class = M[class] end
  if class == nil then return false end
  while mt do
    if mt == class then return true end
    mt = rawget(mt, "parent")
  end
  return false
end

--- Define an error class.
-- @tparam string name class name (also its key in this module)
-- @param parent parent class (nil only for the root)
-- @return the class table
function M.define(name, parent)
  local cls = { name = name, parent = parent }
  cls.__index = cls
  cls.__tostring = error_tostring
  cls.__name = name
  setmetatable(cls, {
    __index = parent,
    __tostring = function() return "class " .. name end,
    __call = function(c, fields) return c:create(fields) end,
  })
  M[name] = cls
  return cls
end

local Root = M.define("ArangoError", nil)

--- Instantiate this class (`errors.DocumentGetError:create{...}`).
-- @tparam table fields error fields
-- @return the error object
function Root:create(fields)
  local err = setmetatable(fields or {}, self)
  if err.message == nil then err.message = format_message(err) end
  return err
end

--- Tell whether this error is an instance of `class` or one of its subclasses.
-- @param class a class table or a class name
-- @treturn boolean
function Root:is(class) return is_a(self, class) end

--- The class name of this error.
-- @treturn string
function Root:class_name() return getmetatable(self).name end

--- Build a server error of this class from a response (which references its request).
-- @param resp an `arango.response` object
-- @tparam[opt] table detail `{error_code, error_message}` of one entry of a multi-document answer,
--   used instead of the response's own
-- @return the error object
function Root:from_response(resp, detail)
  -- The error keeps only a redacted request, also as seen from its response.
  local req = resp.request and resp.request:redacted() or nil
  resp.request = req
  local code, message = resp.error_code, resp.error_message or resp.status_text
  if detail then code, message = detail.error_code, detail.error_message end
  return self:create{
    source = "server",
    response = resp,
    request = req,
    http_code = resp.status_code,
    http_method = resp.method,
    http_headers = resp.headers,
    url = resp.url,
    error_code = code,
    error_message = message,
  }
end

--- Raise (with `error`) a server error of this class built from `resp`.
-- @param resp an `arango.response` object
function Root:raise_from(resp)
  error(self:from_response(resp), 0)
end

--- Raise a client-side error of this class with a message.
-- @tparam string message what went wrong
-- @tparam[opt] table extra more fields
function Root:raise(message, extra)
  local fields = {}
  if extra then for k, v in pairs(extra) do fields[k] = v end end
  fields.message = message
  fields.error_message = message
  fields.source = fields.source or "client"
  error(self:create(fields), 0)
end

--- Tell whether an arbitrary value is a driver error of `class` (default: any driver error).
-- @param value anything caught by pcall
-- @param[opt] class a class or class name
-- @treturn boolean
function M.is(value, class)
  if type(value) ~= "table" or not is_a(value, Root) then return false end
  return is_a(value, class or Root)
end

local Server = M.define("ArangoServerError", Root)
local Client = M.define("ArangoClientError", Root)

-- Transport failures: kind is connect|timeout|reset|protocol|dns|closed (from arango.core).
local Conn = M.define("ArangoConnectionError", Client)
M.define("ArangoTimeoutError", Conn)
M.define("ArangoConnectRefusedError", Conn)

--- Map a transport error from arango.core to the right connection error class.
-- @tparam table err the core's `{kind, message, host}`
-- @param[opt] req the request being sent (a redacted copy is kept)
-- @return the error object
function M.from_transport(err, req)
  local kind = err and err.kind or "protocol"
  local cls = Conn
  if kind == "timeout" then cls = M.ArangoTimeoutError
  elseif kind == "connect" then cls = M.ArangoConnectRefusedError end
  local msg = tostring(err and err.message or "transport failure")
  return cls:create{
    source = "transport",
    kind = kind,
    host = err and err.host,
    error_message = msg,
    message = "[" .. kind .. "] " .. msg .. (err and err.host and (" (" .. err.host .. ")") or ""),
    request = req and req:redacted() or nil,
    http_method = req and req.method,
    url = err and err.url,
  }
end

-- Client-side classes.
M.define("DocumentParseError", Client)
M.define("SerializationError", Client)
M.define("DeserializationError", Client)
M.define("ArangoOptionError", Client)
M.define("JWTSecretError", Client)
M.define("CursorStateError", Client)
M.define("CursorEmptyError", Client)
M.define("AQLQueryBuildError", Client)

-- Server-side classes, one per operation.
local server_classes = {
  -- connection / auth
  "ServerConnectionError", "JWTAuthError", "JWTRefreshError",
  -- generic escape hatch
  "ArangoRequestError",
  -- databases
  "DatabaseListError", "DatabasePropertiesError", "DatabaseCreateError", "DatabaseDeleteError",
  -- server administration
  "ServerVersionError", "ServerDetailsError", "ServerRequiredDBVersionError", "ServerEngineError",
  "ServerTimeError", "ServerRoleError", "ServerStatisticsError", "ServerReadLogError",
  "ServerLogLevelError", "ServerLogLevelSetError", "ServerEchoError", "ServerReloadRoutingError",
  "ServerMetricsError", "ServerStatusError",
  -- collections
  "CollectionListError", "CollectionPropertiesError", "CollectionConfigureError",
  "CollectionStatisticsError", "CollectionRevisionError", "CollectionChecksumError",
  "CollectionCreateError", "CollectionDeleteError", "CollectionRenameError", "CollectionTruncateError",
  "CollectionLoadError", "CollectionUnloadError", "CollectionRecalculateCountError",
  "CollectionResponsibleShardError", "DocumentCountError",
  -- documents
  "DocumentInsertError", "DocumentGetError", "DocumentInError", "DocumentUpdateError",
  "DocumentReplaceError", "DocumentDeleteError", "DocumentRevisionError", "DocumentKeysError",
  "DocumentIDsError",
  -- AQL-backed document helpers
  "DocumentFindError",
  -- import
  "DocumentImportError",
  -- indexes
  "IndexListError", "IndexCreateError", "IndexDeleteError", "IndexGetError",
  -- users and permissions
  "UserListError", "UserGetError", "UserCreateError", "UserUpdateError", "UserReplaceError",
  "UserDeleteError", "PermissionListError", "PermissionGetError", "PermissionUpdateError",
  "PermissionResetError",
  -- AQL and cursors
  "AQLQueryExecuteError", "AQLQueryExplainError", "AQLQueryValidateError", "AQLQueryListError",
  "AQLQueryClearError", "AQLQueryTrackingGetError", "AQLQueryTrackingSetError", "AQLQueryKillError",
  "AQLQueryRulesGetError", "AQLFunctionListError", "AQLFunctionCreateError", "AQLFunctionDeleteError",
  "AQLCachePropertiesError", "AQLCacheConfigureError", "AQLCacheEntriesError", "AQLCacheClearError",
  "CursorNextError", "CursorCloseError",
  -- graphs
  "GraphListError", "GraphGetError", "GraphCreateError", "GraphDeleteError", "GraphPropertiesError",
  "GraphTraverseError", "VertexCollectionListError", "VertexCollectionCreateError",
  "VertexCollectionDeleteError", "EdgeCollectionListError", "EdgeDefinitionListError",
  "EdgeDefinitionCreateError", "EdgeDefinitionReplaceError", "EdgeDefinitionDeleteError", "EdgeListError",
}
for _, name in ipairs(server_classes) do M.define(name, Server) end

return M
