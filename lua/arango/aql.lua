--- AQL: running queries (`db.aql:execute`) and managing them.
--
--     local cursor = db.aql:execute("FOR s IN students FILTER s.age > @age RETURN s",
--       { bind_vars = { age = 18 }, batch_size = 100, count = true })
--
-- Values always travel as bind variables; never build query text from values.
-- @module arango.aql

local request_mod = require "arango.request"
local errors = require "arango.errors"
local api = require "arango.api"
local options = require "arango.options"
local cursor_mod = require "arango.cursor"
local serializer = require "arango.serializer"

local M = {}

local AQL = {}
AQL.__index = AQL
M.AQL = AQL

--- Create the AQL API object of a database (available as `db.aql`).
-- @param db the `arango.database` Database
-- @return the AQL object
function AQL.new(db)
  local self = setmetatable({ _db = db, _executor = db._executor }, AQL)
  self.cache = M.AQLQueryCache.new(db)
  return self
end

-- Top-level attributes of the POST /_api/cursor body.
local TOP = {
  count = "count", batch_size = "batchSize", ttl = "ttl", cache = "cache", memory_limit = "memoryLimit",
}
-- Attributes of its `options` object.
local INNER = {
  full_count = "fullCount", fill_block_cache = "fillBlockCache", max_plans = "maxNumberOfPlans",
  max_runtime = "maxRuntime", max_warning_count = "maxWarningCount", fail_on_warning = "failOnWarning",
  allow_retry = "allowRetry", profile = "profile", satellite_sync_wait = "satelliteSyncWait",
  stream = "stream", skip_inaccessible_cols = "skipInaccessibleCollections",
  intermediate_commit_count = "intermediateCommitCount", intermediate_commit_size = "intermediateCommitSize",
  max_transaction_size = "maxTransactionSize", spill_over_threshold_memory_usage =
  "spillOverThresholdMemoryUsage", spill_over_threshold_num_rows = "spillOverThresholdNumRows",
  max_nodes_per_callstack = "maxNodesPerCallstack", max_dnf_condition_members = "maxDNFConditionMembers",
  use_plan_cache = "usePlanCache", force_one_shard_attribute_value = "forceOneShardAttributeValue",
}
local EXECUTE_OPTIONS = options.merge(TOP, INNER, { bind_vars = false, optimizer_rules = false,
  allow_dirty_read = false })

-- Accepts query text or a query object (`arango.aql(...)`, or any `{query = text, bind_vars = t}`)
-- and merges its bind variables with `extra` (the caller's `bind_vars` option).
local function query_parts(query, extra, what)
  local text, bind = query, nil
  if type(query) == "table" then
    text, bind = query.query, query.bind_vars
    if bind ~= nil and type(bind) ~= "table" then
      errors.ArangoOptionError:raise(what .. ": the query object's bind_vars must be a table")
    end
  end
  if type(text) ~= "string" or text == "" then
    errors.ArangoOptionError:raise(what .. ": the query must be a non-empty string or an arango.aql query "
      .. "object (got " .. type(text) .. ")")
  end
  if extra ~= nil and type(extra) ~= "table" then
    errors.ArangoOptionError:raise(what .. ": bind_vars must be a table")
  end
  if bind == nil then return text, extra end
  if extra == nil then return text, bind end
  local merged = {}
  for k, v in pairs(bind) do merged[k] = v end
  for k, v in pairs(extra) do
    if merged[k] ~= nil and merged[k] ~= v then
      errors.ArangoOptionError:raise(what .. ": bind variable '" .. tostring(k)
        .. "' is given both by the query object and by bind_vars")
    end
    merged[k] = v
  end
  return text, merged
end

--- Execute a query and return a cursor over its results.
-- @param query AQL text, or a query object from the builder (`arango.aql(...)`,
--   `arango.aql.template(...)`) whose bind variables are sent along
-- @tparam[opt] table opts `bind_vars` (merged with the query object's), `count`, `batch_size`,
--   `ttl` (seconds a cursor lives between fetches), `cache`, `memory_limit` (bytes),
--   `full_count`, `fill_block_cache`, `max_plans`, `max_runtime` (seconds), `max_warning_count`,
--   `fail_on_warning`, `allow_retry` (default true: batch fetches are retried once after a
--   transport failure), `profile` (true or 2), `satellite_sync_wait`, `stream`,
--   `skip_inaccessible_cols`, `intermediate_commit_count`, `intermediate_commit_size`,
--   `max_transaction_size`, `optimizer_rules` (list like `{"-all", "+use-indexes"}`),
--   `use_plan_cache`, `allow_dirty_read`, ...
-- @return an `arango.cursor` Cursor
function AQL:execute(query, opts)
  return self:_execute(query, opts, errors.AQLQueryExecuteError)
end

-- execute() with a caller-chosen error class (Collection:find raises DocumentGetError, ...).
function AQL:_execute(query, opts, err_class)
  opts = options.check(opts, EXECUTE_OPTIONS, "aql:execute")
  local text, bind_vars = query_parts(query, opts.bind_vars, "aql:execute")
  local data = { query = text }
  local inner = {}
  for k, v in pairs(opts) do
    if TOP[k] then data[TOP[k]] = v elseif INNER[k] then inner[INNER[k]] = v end
  end
  if inner.allowRetry == nil then inner.allowRetry = true end
  if opts.optimizer_rules ~= nil then
    if type(opts.optimizer_rules) ~= "table" then
      errors.ArangoOptionError:raise("aql:execute: optimizer_rules must be a list of rule names")
    end
    inner.optimizer = { rules = serializer.array(opts.optimizer_rules) }
  end
  data.options = inner
  if bind_vars ~= nil then data.bindVars = serializer.object(bind_vars) end
  local headers = {}
  if opts.allow_dirty_read then headers["x-arango-allow-dirty-read"] = "true" end
  return self:_run({ method = "POST", endpoint = "/_api/cursor", data = data, headers = headers }, err_class,
    function(resp)
      return cursor_mod.new(self._executor, resp.body, { allow_retry = inner.allowRetry, host = resp.host,
        ttl = data.ttl })
    end)
end

-- The request runners (_run, _run_raw, ...) come from arango.api.
api.mixin(AQL)

local strip = api.strip

--- Explain a query (`POST /_api/explain`).
-- @param query AQL text or a query object from `arango.aql`
-- @tparam[opt] table opts `{bind_vars, all_plans, max_plans, optimizer_rules}`
-- @treturn table `{plan, warnings, stats, cacheable}` (`plans` with `all_plans`)
function AQL:explain(query, opts)
  opts = options.check(opts, { bind_vars = true, all_plans = true, max_plans = true, optimizer_rules = true },
    "aql:explain")
  local text, bind_vars = query_parts(query, opts.bind_vars, "aql:explain")
  local data = { query = text, options = { allPlans = opts.all_plans, maxNumberOfPlans = opts.max_plans } }
  if opts.optimizer_rules then data.options.optimizer = { rules = serializer.array(opts.optimizer_rules) } end
  if bind_vars then data.bindVars = serializer.object(bind_vars) end
  return self:_run({ method = "POST", endpoint = "/_api/explain", data = data }, errors.AQLQueryExplainError,
    function(resp) return strip(resp.body) end)
end

--- Parse a query without running it (`POST /_api/query`).
-- @param query AQL text or a query object from `arango.aql` (its values are not needed)
-- @treturn table `{parsed, collections, bindVars, ast}`
function AQL:validate(query)
  local text = query_parts(query, nil, "aql:validate")
  return self:_run({ method = "POST", endpoint = "/_api/query", data = { query = text } },
    errors.AQLQueryValidateError, function(resp) return strip(resp.body) end)
end

--- Queries running now (`GET /_api/query/current`).
-- @treturn {table,...}
function AQL:queries()
  return self:_run({ method = "GET", endpoint = "/_api/query/current" }, errors.AQLQueryListError,
    function(resp) return resp.body end)
end

--- Slow queries recorded so far.
-- @treturn {table,...}
function AQL:slow_queries()
  return self:_run({ method = "GET", endpoint = "/_api/query/slow" }, errors.AQLQueryListError,
    function(resp) return resp.body end)
end

--- Forget the recorded slow queries.
-- @treturn boolean true
function AQL:clear_slow_queries()
  return self:_run({ method = "DELETE", endpoint = "/_api/query/slow" }, errors.AQLQueryClearError,
    function() return true end)
end

--- Query tracking properties (`GET /_api/query/properties`).
-- @treturn table
function AQL:tracking()
  return self:_run({ method = "GET", endpoint = "/_api/query/properties" }, errors.AQLQueryTrackingGetError,
    function(resp) return strip(resp.body) end)
end

local TRACKING = {
  enabled = "enabled", max_slow_queries = "maxSlowQueries", slow_query_threshold = "slowQueryThreshold",
  max_query_string_length = "maxQueryStringLength", track_bind_vars = "trackBindVars",
  track_slow_queries = "trackSlowQueries", slow_streaming_query_threshold = "slowStreamingQueryThreshold",
}

--- Change query tracking properties.
-- @tparam table opts `{enabled, max_slow_queries, slow_query_threshold (seconds),
--   slow_streaming_query_threshold, max_query_string_length, track_bind_vars, track_slow_queries}`
-- @treturn table the new properties
function AQL:set_tracking(opts)
  local data = options.map(opts, TRACKING, "aql:set_tracking")
  return self:_run({ method = "PUT", endpoint = "/_api/query/properties", data = serializer.object(data) },
    errors.AQLQueryTrackingSetError, function(resp) return strip(resp.body) end)
end

--- Kill a running query.
-- @tparam string query_id
-- @treturn boolean true
function AQL:kill(query_id)
  if type(query_id) ~= "string" and type(query_id) ~= "number" then
    errors.ArangoOptionError:raise("aql:kill: query_id must be a string (got " .. type(query_id) .. ")")
  end
  return self:_run({ method = "DELETE", endpoint = "/_api/query/" .. request_mod.escape(query_id) },
    errors.AQLQueryKillError, function() return true end)
end

--- The optimizer rules (`GET /_api/query/rules`).
-- @treturn {table,...}
function AQL:query_rules()
  return self:_run({ method = "GET", endpoint = "/_api/query/rules" }, errors.AQLQueryRulesGetError,
    function(resp) return resp.body end)
end

--- User functions (`GET /_api/aqlfunction`).
-- @tparam[opt] string namespace
-- @treturn {table,...} `{name, code, isDeterministic}`
function AQL:functions(namespace)
  return self:_run({ method = "GET", endpoint = "/_api/aqlfunction", params = { namespace = namespace } },
    errors.AQLFunctionListError, function(resp) return resp.body.result end)
end

--- Create or replace a user function.
-- @tparam string name e.g. "myfunctions::temperature::celsiustofahrenheit"
-- @tparam string code JavaScript source
-- @tparam[opt] table opts `{is_deterministic}`
-- @treturn table `{is_new}`
function AQL:create_function(name, code, opts)
  opts = options.check(opts, { is_deterministic = true }, "aql:create_function")
  if type(name) ~= "string" or name == "" then
    errors.ArangoOptionError:raise("aql:create_function: name must be a non-empty string")
  end
  if type(code) ~= "string" then
    errors.ArangoOptionError:raise("aql:create_function: code must be a string")
  end
  return self:_run({ method = "POST", endpoint = "/_api/aqlfunction",
    data = { name = name, code = code, isDeterministic = opts.is_deterministic } },
    errors.AQLFunctionCreateError, function(resp) return { is_new = resp.body.isNewlyCreated } end)
end

--- Delete a user function (or a whole namespace with `{group = true}`).
-- @tparam string name
-- @tparam[opt] table opts `{group, ignore_missing}`
-- @treturn ?int number deleted (0 when missing and `ignore_missing`)
function AQL:delete_function(name, opts)
  opts = options.check(opts, { group = true, ignore_missing = true }, "aql:delete_function")
  if type(name) ~= "string" or name == "" then
    errors.ArangoOptionError:raise("aql:delete_function: name must be a non-empty string")
  end
  return self:_run_raw({ method = "DELETE", endpoint = "/_api/aqlfunction/" .. request_mod.escape(name),
    params = { group = opts.group } }, function(resp)
    if resp.is_success then return resp.body.deletedCount end
    if resp.error_code == 1582 and opts.ignore_missing then return 0 end
    errors.AQLFunctionDeleteError:raise_from(resp)
  end)
end

-- ========================================================================================
-- Query results cache (db.aql.cache)
-- ========================================================================================

local Cache = {}
Cache.__index = Cache
M.AQLQueryCache = Cache

--- Create the query cache API object (available as `db.aql.cache`).
-- @param db the Database
-- @return the cache object
function Cache.new(db)
  return setmetatable({ _db = db, _executor = db._executor }, Cache)
end

api.mixin(Cache)

--- Cache properties (`GET /_api/query-cache/properties`).
-- @treturn table `{mode, maxResults, maxResultsSize, maxEntrySize, includeSystem}`
function Cache:properties()
  return self:_run({ method = "GET", endpoint = "/_api/query-cache/properties" },
    errors.AQLCachePropertiesError, function(resp) return strip(resp.body) end)
end

local CACHE_OPTIONS = {
  mode = "mode", max_results = "maxResults", max_results_size = "maxResultsSize",
  max_entry_size = "maxEntrySize", include_system = "includeSystem",
}

--- Change cache properties.
-- @tparam table opts `{mode ("off"|"on"|"demand"), max_results, max_results_size, max_entry_size,
--   include_system}`
-- @treturn table the new properties
function Cache:configure(opts)
  local data = options.map(opts, CACHE_OPTIONS, "aql.cache:configure")
  return self:_run({ method = "PUT", endpoint = "/_api/query-cache/properties",
    data = serializer.object(data) }, errors.AQLCacheConfigureError,
    function(resp) return strip(resp.body) end)
end

--- Cached results (`GET /_api/query-cache/entries`).
-- @treturn {table,...}
function Cache:entries()
  return self:_run({ method = "GET", endpoint = "/_api/query-cache/entries" }, errors.AQLCacheEntriesError,
    function(resp) return resp.body end)
end

--- Empty the cache.
-- @treturn boolean true
function Cache:clear()
  return self:_run({ method = "DELETE", endpoint = "/_api/query-cache" }, errors.AQLCacheClearError,
    function() return true end)
end

return M
