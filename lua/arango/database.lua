--- Databases: database management, collections, documents by id, users and permissions, and
-- server administration.
--
-- Every method builds one request description and hands it to the executor of this handle
-- (see `arango.executor`), so the same method bodies serve the async, batch and transaction
-- contexts. Server answers in the error range raise the method's error class
-- (see `arango.errors`).
-- @module arango.database

local request_mod = require "arango.request"
local errors = require "arango.errors"
local api = require "arango.api"
local options = require "arango.options"
local document = require "arango.document"

local escape = request_mod.escape

local M = {}

local Database = {}
Database.__index = Database
M.Database = Database

--- Create a database handle (normally via `client:db`).
-- @param connection an `arango.connection`
-- @param executor an executor (see `arango.executor`)
-- @return the Database
function Database.new(connection, executor)
  local self = setmetatable({ _conn = connection, _executor = executor }, Database)
  self.aql = require("arango.aql").AQL.new(self)
  return self
end

-- The request runners (_run, _run_raw, _run_found, _run_document) come from arango.api.
api.mixin(Database)

local need_string, args_table, strip = api.need_string, api.args_table, api.strip

--- The database name.
-- @treturn string
function Database:name() return self._conn:db_name() end

--- The username this handle authenticates as (nil with a bare token).
-- @treturn ?string
function Database:username() return self._conn:username() end

--- The connection used by this handle.
-- @return an `arango.connection`
function Database:connection() return self._conn end

--- The execution context ("default", later "async", "batch", "transaction").
-- @treturn string
function Database:context() return self._executor.context end

--- Check the connection and credentials (`GET /_api/version`); raises `ServerConnectionError`.
-- @treturn boolean true
function Database:_verify()
  return self:_run({ method = "GET", endpoint = "/_api/version" }, errors.ServerConnectionError,
    function() return true end)
end

--- Send a raw request and return the response (no error is raised for HTTP error statuses).
-- @tparam table t `{method, endpoint, params, headers, data, raw_data, prefix_needed}`
-- @return an `arango.response`
function Database:request(t)
  return self:_run_raw(t, function(resp) return resp end)
end

-- ========================================================================================
-- Databases
-- ========================================================================================

--- Properties of this database (`GET /_api/database/current`).
-- @treturn table `{name, id, path, isSystem, ...}`
function Database:properties()
  return self:_run({ method = "GET", endpoint = "/_api/database/current" }, errors.DatabasePropertiesError,
    function(resp) return resp.body.result end)
end

--- Names of all databases (only from `_system`).
-- @treturn {string,...}
function Database:databases()
  return self:_run({ method = "GET", endpoint = "/_api/database" }, errors.DatabaseListError,
    function(resp) return resp.body.result end)
end

--- Names of the databases the current user can access.
-- @treturn {string,...}
function Database:databases_accessible_to_user()
  return self:_run({ method = "GET", endpoint = "/_api/database/user" }, errors.DatabaseListError,
    function(resp) return resp.body.result end)
end

--- Tell whether a database exists.
-- @tparam string name
-- @treturn boolean
function Database:has_database(name)
  need_string(name, "database name")
  return self:_run({ method = "GET", endpoint = "/_api/database" }, errors.DatabaseListError,
    function(resp) return api.contains(resp.body.result, name) end)
end

local CREATE_DB_OPTIONS = {
  name = false, users = false, replication_factor = "replicationFactor", write_concern = "writeConcern",
  sharding = "sharding",
}

--- Create a database.
-- @param name the name, or a table `{name, users = {{username, password, active, extra}, ...},
--   replication_factor, write_concern, sharding}`
-- @tparam[opt] table opts the same options when `name` is a string
-- @treturn boolean true
function Database:create_database(name, opts)
  local t = type(name) == "table" and name or options.merge(opts or {}, { name = name })
  options.check(t, CREATE_DB_OPTIONS, "create_database")
  local data = { name = need_string(t.name, "database name") }
  local db_opts = options.map(t, CREATE_DB_OPTIONS, "create_database")
  if next(db_opts) then data.options = db_opts end
  if t.users then
    local users = {}
    for i, u in ipairs(t.users) do
      users[i] = { username = need_string(u.username, "user name"), passwd = u.password,
        active = u.active, extra = u.extra }
    end
    data.users = users
  end
  return self:_run({ method = "POST", endpoint = "/_api/database", data = data, sensitive = t.users ~= nil },
    errors.DatabaseCreateError, function() return true end)
end

--- Delete a database.
-- @tparam string name
-- @tparam[opt] table opts `{ignore_missing = false}`
-- @treturn boolean true, or false when missing and `ignore_missing`
function Database:delete_database(name, opts)
  need_string(name, "database name")
  opts = options.check(opts, { ignore_missing = true }, "delete_database")
  return self:_run_found({ method = "DELETE", endpoint = "/_api/database/" .. escape(name) },
    errors.DatabaseDeleteError, { code = 1228 }, opts.ignore_missing)
end

-- ========================================================================================
-- Server administration
-- ========================================================================================

--- Server version string (`GET /_api/version`).
-- @treturn string e.g. "3.12.4"
function Database:version()
  return self:_run({ method = "GET", endpoint = "/_api/version" }, errors.ServerVersionError,
    function(resp) return resp.body.version end)
end

--- Server version details (`GET /_api/version?details=true`).
-- @treturn table `{server, version, license, details = {...}}`
function Database:details()
  return self:_run({ method = "GET", endpoint = "/_api/version", params = { details = true } },
    errors.ServerDetailsError, function(resp) return strip(resp.body) end)
end

--- Server status (`GET /_admin/status`).
-- @treturn table
function Database:status()
  return self:_run({ method = "GET", endpoint = "/_admin/status" }, errors.ServerStatusError,
    function(resp) return strip(resp.body) end)
end

--- Storage engine (`GET /_api/engine`).
-- @treturn table `{name = "rocksdb", supports = {...}}`
function Database:engine()
  return self:_run({ method = "GET", endpoint = "/_api/engine" }, errors.ServerEngineError,
    function(resp) return strip(resp.body) end)
end

--- Database version the server requires (`GET /_admin/database/target-version`).
-- @treturn string
function Database:required_db_version()
  return self:_run({ method = "GET", endpoint = "/_admin/database/target-version" },
    errors.ServerRequiredDBVersionError, function(resp) return resp.body.version end)
end

--- Server time in seconds since the epoch (`GET /_admin/time`).
-- @treturn number
function Database:time()
  return self:_run({ method = "GET", endpoint = "/_admin/time" }, errors.ServerTimeError,
    function(resp) return resp.body.time end)
end

--- Server role: "SINGLE", "COORDINATOR", "PRIMARY", "AGENT" or "UNDEFINED".
-- @treturn string
function Database:role()
  return self:_run({ method = "GET", endpoint = "/_admin/server/role" }, errors.ServerRoleError,
    function(resp) return resp.body.role end)
end

--- Server statistics (`GET /_admin/statistics`, or the description with `{description = true}`).
-- @tparam[opt] table opts `{description = false}`
-- @treturn table
function Database:statistics(opts)
  opts = options.check(opts, { description = true }, "statistics")
  local endpoint = opts.description and "/_admin/statistics-description" or "/_admin/statistics"
  return self:_run({ method = "GET", endpoint = endpoint }, errors.ServerStatisticsError,
    function(resp) return strip(resp.body) end)
end

local READ_LOG_OPTIONS = {
  upto = "upto", level = "level", start = "start", size = "size", offset = "offset",
  search = "search", sort = "sort", server_id = "serverId",
}

--- Read the server log (`GET /_admin/log/entries`).
-- @tparam[opt] table opts `{upto, level, start, size, offset, search, sort, server_id}`
-- @treturn table `{total, messages = {{id, topic, level, date, message}, ...}}`
function Database:read_log(opts)
  local params = options.map(opts, READ_LOG_OPTIONS, "read_log")
  return self:_run({ method = "GET", endpoint = "/_admin/log/entries", params = params },
    errors.ServerReadLogError, function(resp) return strip(resp.body) end)
end

--- Log levels per topic (`GET /_admin/log/level`).
-- @tparam[opt] table opts `{server_id}`
-- @treturn table `{topic = level, ...}`
function Database:log_levels(opts)
  local params = options.map(opts, { server_id = "serverId" }, "log_levels")
  return self:_run({ method = "GET", endpoint = "/_admin/log/level", params = params },
    errors.ServerLogLevelError, function(resp) return strip(resp.body) end)
end

--- Set log levels (`PUT /_admin/log/level`).
-- @tparam table levels `{topic = "debug", ...}`
-- @tparam[opt] table opts `{server_id}`
-- @treturn table the new levels
function Database:set_log_levels(levels, opts)
  if type(levels) ~= "table" then errors.ArangoOptionError:raise("set_log_levels: levels must be a table") end
  local params = options.map(opts, { server_id = "serverId" }, "set_log_levels")
  return self:_run({ method = "PUT", endpoint = "/_admin/log/level", params = params, data = levels },
    errors.ServerLogLevelSetError, function(resp) return strip(resp.body) end)
end

--- Echo the request back (`/_admin/echo`): GET without a body, POST with one.
-- @param[opt] body any value to send
-- @treturn table the server's description of the request
function Database:echo(body)
  local t = { method = body == nil and "GET" or "POST", endpoint = "/_admin/echo", data = body }
  return self:_run(t, errors.ServerEchoError, function(resp) return strip(resp.body) end)
end

--- Reload the routing table (`POST /_admin/routing/reload`).
-- @treturn boolean true
function Database:reload_routing()
  return self:_run({ method = "POST", endpoint = "/_admin/routing/reload" }, errors.ServerReloadRoutingError,
    function() return true end)
end

--- Server metrics in Prometheus text format (`GET /_admin/metrics/v2`).
-- @treturn string
function Database:metrics()
  return self:_run({ method = "GET", endpoint = "/_admin/metrics/v2", deserialize = false },
    errors.ServerMetricsError, function(resp) return resp.raw_body end)
end

-- ========================================================================================
-- Collections
-- ========================================================================================

--- All collections of this database.
-- @treturn {table,...} `{id, name, system, type = "document"|"edge", status, globally_unique_id}`
function Database:collections()
  return self:_run({ method = "GET", endpoint = "/_api/collection" }, errors.CollectionListError,
    function(resp)
      local out = {}
      for i, c in ipairs(resp.body.result) do
        out[i] = { id = c.id, name = c.name, system = c.isSystem, status = c.status,
          type = c.type == 3 and "edge" or "document", globally_unique_id = c.globallyUniqueId }
      end
      return out
    end)
end

--- Tell whether a collection exists.
-- @tparam string name
-- @treturn boolean
function Database:has_collection(name)
  need_string(name, "collection name")
  return self:_run_found({ method = "GET", endpoint = "/_api/collection/" .. escape(name) },
    errors.CollectionListError, { status = 404 }, true)
end

--- A handle on a collection (no request is sent).
-- @tparam string name
-- @return an `arango.collection` Collection
function Database:collection(name)
  need_string(name, "collection name")
  return require("arango.collection").Collection.new(self, name)
end

local CREATE_COLLECTION_OPTIONS = {
  edge = false, sync_replication = false, enforce_replication_factor = false,
  key_generator = false, user_keys = false, key_increment = false, key_offset = false,
  sync = "waitForSync", system = "isSystem", shard_fields = "shardKeys", shard_count = "numberOfShards",
  replication_factor = "replicationFactor", write_concern = "writeConcern",
  sharding_strategy = "shardingStrategy", smart_join_attribute = "smartJoinAttribute",
  schema = "schema", computed_values = "computedValues", cache_enabled = "cacheEnabled",
  distribute_shards_like = "distributeShardsLike", smart_graph_attribute = "smartGraphAttribute",
  is_smart = "isSmart",
}

--- Create a collection.
-- @tparam string name
-- @tparam[opt] table opts `edge` (edge collection), `sync`, `system`, `key_generator`
--   ("traditional", "autoincrement", "uuid", "padded"), `user_keys`, `key_increment`, `key_offset`,
--   `shard_fields`, `shard_count`, `replication_factor`, `write_concern`, `sharding_strategy`,
--   `smart_join_attribute`, `schema`, `computed_values`, `cache_enabled`, `sync_replication`,
--   `enforce_replication_factor`
-- @return the new Collection
function Database:create_collection(name, opts)
  need_string(name, "collection name")
  local data = options.map(opts, CREATE_COLLECTION_OPTIONS, "create_collection")
  opts = opts or {}
  data.name = name
  data.type = opts.edge and 3 or 2
  if opts.key_generator ~= nil or opts.user_keys ~= nil or opts.key_increment ~= nil
    or opts.key_offset ~= nil then
    data.keyOptions = { type = opts.key_generator, allowUserKeys = opts.user_keys,
      increment = opts.key_increment, offset = opts.key_offset }
  end
  local params = {}
  if opts.sync_replication ~= nil then params.waitForSyncReplication = opts.sync_replication end
  if opts.enforce_replication_factor ~= nil then
    params.enforceReplicationFactor = opts.enforce_replication_factor
  end
  return self:_run({ method = "POST", endpoint = "/_api/collection", data = data, params = params },
    errors.CollectionCreateError, function() return self:collection(name) end)
end

--- Delete a collection.
-- @tparam string name
-- @tparam[opt] table opts `{ignore_missing = false, system = false}`
-- @treturn boolean true, or false when missing and `ignore_missing`
function Database:delete_collection(name, opts)
  need_string(name, "collection name")
  opts = options.check(opts, { ignore_missing = true, system = true }, "delete_collection")
  local params = {}
  if opts.system ~= nil then params.isSystem = opts.system end
  return self:_run_found({ method = "DELETE", endpoint = "/_api/collection/" .. escape(name),
    params = params }, errors.CollectionDeleteError, { code = 1203 }, opts.ignore_missing)
end

-- ========================================================================================
-- Documents by id
-- ========================================================================================

--- Insert a document into a collection.
-- @tparam string collection collection name
-- @tparam table doc the document
-- @tparam[opt] table opts as `Collection:insert`
-- @return the result of `Collection:insert`
function Database:insert_document(collection, doc, opts)
  return self:collection(collection):insert(doc, opts)
end

--- Get a document by id (nil when missing).
-- @param id "collection/key" or a table with `_id`
-- @tparam[opt] table opts as `Collection:get`
-- @treturn ?table
function Database:document(id, opts)
  local col = document.resolve_id(id)
  return self:collection(col):get(id, opts)
end

--- Tell whether a document exists.
-- @param id "collection/key" or a table with `_id`
-- @tparam[opt] table opts as `Collection:has`
-- @treturn boolean
function Database:has_document(id, opts)
  local col = document.resolve_id(id)
  return self:collection(col):has(id, opts)
end

--- Update (patch) a document; `doc` must have `_id`.
-- @tparam table doc
-- @tparam[opt] table opts as `Collection:update`
-- @return the result of `Collection:update`
function Database:update_document(doc, opts)
  local col = document.resolve_id(doc)
  return self:collection(col):update(doc, opts)
end

--- Replace a document; `doc` must have `_id`.
-- @tparam table doc
-- @tparam[opt] table opts as `Collection:replace`
-- @return the result of `Collection:replace`
function Database:replace_document(doc, opts)
  local col = document.resolve_id(doc)
  return self:collection(col):replace(doc, opts)
end

--- Delete a document by id.
-- @param id "collection/key" or a table with `_id`
-- @tparam[opt] table opts as `Collection:delete`
-- @return the result of `Collection:delete`
function Database:delete_document(id, opts)
  local col = document.resolve_id(id)
  return self:collection(col):delete(id, opts)
end

-- ========================================================================================
-- Users and permissions
-- ========================================================================================

local function format_user(body)
  return { username = body.user, active = body.active, extra = body.extra }
end

--- All users.
-- @treturn {table,...} `{username, active, extra}`
function Database:users()
  return self:_run({ method = "GET", endpoint = "/_api/user", prefix_needed = false },
    errors.UserListError, function(resp)
      local out = {}
      for i, u in ipairs(resp.body.result) do out[i] = format_user(u) end
      return out
    end)
end

--- Tell whether a user exists.
-- @tparam string username
-- @treturn boolean
function Database:has_user(username)
  need_string(username, "username")
  return self:_run_found({ method = "GET", endpoint = "/_api/user/" .. escape(username),
    prefix_needed = false }, errors.UserGetError, { status = 404 }, true)
end

--- One user.
-- @tparam string username
-- @treturn table `{username, active, extra}`
function Database:user(username)
  need_string(username, "username")
  return self:_run({ method = "GET", endpoint = "/_api/user/" .. escape(username), prefix_needed = false },
    errors.UserGetError, function(resp) return format_user(resp.body) end)
end

local USER_FIELDS = { username = true, password = true, active = true, extra = true }
local USER_ARGS = { "username", "password", "active", "extra" }

-- create_user, update_user and replace_user: one request with the user's body; only creation
-- (POST) names the user in the body rather than in the path.
local function save_user(self, method, what, err_class, username, password, active, extra)
  local t = args_table(username, USER_ARGS, password, active, extra)
  options.check(t, USER_FIELDS, what)
  need_string(t.username, "username")
  local data = { passwd = t.password, active = t.active, extra = t.extra }
  if t.password ~= nil and type(t.password) ~= "string" then
    errors.ArangoOptionError:raise(what .. ": password must be a string")
  end
  local endpoint = "/_api/user"
  if method == "POST" then data.user = t.username else endpoint = endpoint .. "/" .. escape(t.username) end
  return self:_run({ method = method, endpoint = endpoint, prefix_needed = false, data = data,
    sensitive = true }, err_class, function(resp) return format_user(resp.body) end)
end

--- Create a user: `create_user{username, password, active, extra}` (or positional).
-- @param username a name, or the options table
-- @tparam[opt] string password
-- @tparam[opt] boolean active
-- @tparam[opt] table extra
-- @treturn table the new user `{username, active, extra}`
function Database:create_user(username, password, active, extra)
  return save_user(self, "POST", "create_user", errors.UserCreateError, username, password, active, extra)
end

--- Update (patch) a user: `update_user{username, password, active, extra}`.
-- @param username a name, or the options table
-- @tparam[opt] string password
-- @tparam[opt] boolean active
-- @tparam[opt] table extra
-- @treturn table the user
function Database:update_user(username, password, active, extra)
  return save_user(self, "PATCH", "update_user", errors.UserUpdateError, username, password, active, extra)
end

--- Replace a user: `replace_user{username, password, active, extra}`.
-- @param username a name, or the options table
-- @tparam[opt] string password
-- @tparam[opt] boolean active
-- @tparam[opt] table extra
-- @treturn table the user
function Database:replace_user(username, password, active, extra)
  return save_user(self, "PUT", "replace_user", errors.UserReplaceError, username, password, active, extra)
end

--- Delete a user.
-- @tparam string username
-- @tparam[opt] table opts `{ignore_missing = false}`
-- @treturn boolean true, or false when missing and `ignore_missing`
function Database:delete_user(username, opts)
  need_string(username, "username")
  opts = options.check(opts, { ignore_missing = true }, "delete_user")
  return self:_run_found({ method = "DELETE", endpoint = "/_api/user/" .. escape(username),
    prefix_needed = false }, errors.UserDeleteError, { status = 404 }, opts.ignore_missing)
end

--- All permissions of a user (`GET /_api/user/{user}/database?full=true`).
-- @tparam string username
-- @treturn table `{dbname = {permission = "rw", collections = {...}}, ...}`
function Database:permissions(username)
  need_string(username, "username")
  return self:_run({ method = "GET", endpoint = "/_api/user/" .. escape(username) .. "/database",
    params = { full = true }, prefix_needed = false }, errors.PermissionListError,
    function(resp) return resp.body.result end)
end

local function permission_endpoint(t)
  local ep = "/_api/user/" .. escape(need_string(t.username, "username")) .. "/database/"
    .. escape(need_string(t.database, "database"))
  if t.collection ~= nil then ep = ep .. "/" .. escape(need_string(t.collection, "collection")) end
  return ep
end

--- A user's permission on a database or collection: "rw", "ro" or "none".
-- @param username a name, or `{username, database, collection}`
-- @tparam[opt] string database
-- @tparam[opt] string collection
-- @treturn string
function Database:permission(username, database, collection)
  local t = args_table(username, { "username", "database", "collection" }, database, collection)
  options.check(t, { username = true, database = true, collection = true }, "permission")
  return self:_run({ method = "GET", endpoint = permission_endpoint(t), prefix_needed = false },
    errors.PermissionGetError, function(resp) return resp.body.result end)
end

--- Grant a permission: `update_permission{username, permission, database, collection}`.
-- @param username a name, or the options table
-- @tparam[opt] string permission "rw", "ro" or "none"
-- @tparam[opt] string database
-- @tparam[opt] string collection
-- @treturn boolean true
function Database:update_permission(username, permission, database, collection)
  local t = args_table(username, { "username", "permission", "database", "collection" },
    permission, database, collection)
  options.check(t, { username = true, permission = true, database = true, collection = true },
    "update_permission")
  need_string(t.permission, "permission")
  return self:_run({ method = "PUT", endpoint = permission_endpoint(t), prefix_needed = false,
    data = { grant = t.permission } }, errors.PermissionUpdateError, function() return true end)
end

--- Reset a permission to the default: `reset_permission{username, database, collection}`.
-- @param username a name, or the options table
-- @tparam[opt] string database
-- @tparam[opt] string collection
-- @treturn boolean true
function Database:reset_permission(username, database, collection)
  local t = args_table(username, { "username", "database", "collection" }, database, collection)
  options.check(t, { username = true, database = true, collection = true }, "reset_permission")
  return self:_run({ method = "DELETE", endpoint = permission_endpoint(t), prefix_needed = false },
    errors.PermissionResetError, function() return true end)
end

-- Graph methods (graphs, has_graph, graph, create_graph, delete_graph) live in arango.graph.
require("arango.graph").install(Database)

return M
