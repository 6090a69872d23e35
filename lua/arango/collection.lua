--- Collections: properties, documents and indexes.
--
-- Obtained with `db:collection(name)` or `db:create_collection(name, opts)`. Document methods take
-- a key, an id ("collection/key") or a table with `_key`/`_id`; malformed ones raise
-- `DocumentParseError` before any request. Options are snake_case tables (`return_new`,
-- `return_old`, `silent`, `overwrite`, `overwrite_mode`, `keep_null`, `merge_objects`, `sync`
-- (waitForSync), `check_rev` (send the document's `_rev` as If-Match / do not ignore revisions),
-- `refill_index_caches`, `version_attribute`). Unknown options are errors.
--
-- `find`, `all`, `update_match`, `replace_match` and `delete_match` run AQL through
-- `/_api/cursor`, with every value passed as a bind variable.
-- @module arango.collection

local request_mod = require "arango.request"
local errors = require "arango.errors"
local api = require "arango.api"
local options = require "arango.options"
local document = require "arango.document"
local serializer = require "arango.serializer"

local escape = request_mod.escape

local M = {}

local Collection = {}
Collection.__index = Collection
M.Collection = Collection

--- Create a collection handle (normally via `db:collection(name)`).
-- @param db the `arango.database` Database it belongs to
-- @tparam string name
-- @return the Collection
function Collection.new(db, name)
  return api.new_handle(Collection, db, name)
end

-- The request runners and the accessors `name`, `db_name` and `database` come from arango.api.
api.mixin_handle(Collection)

local strip = api.strip

function Collection:_path(suffix)
  return "/_api/collection/" .. escape(self._name) .. (suffix or "")
end

-- ========================================================================================
-- Management
-- ========================================================================================

--- Collection properties (`GET .../properties`), with the server's attribute names.
-- @treturn table `{id, name, type, waitForSync, keyOptions, schema, ...}`
function Collection:properties()
  return self:_run({ method = "GET", endpoint = self:_path("/properties") }, errors.CollectionPropertiesError,
    function(resp) return strip(resp.body) end)
end

local CONFIGURE_OPTIONS = {
  sync = "waitForSync", schema = "schema", replication_factor = "replicationFactor",
  write_concern = "writeConcern", computed_values = "computedValues", cache_enabled = "cacheEnabled",
}

--- Change properties (`PUT .../properties`).
-- @tparam table opts `{sync, schema, replication_factor, write_concern, computed_values, cache_enabled}`
-- @treturn table the new properties
function Collection:configure(opts)
  local data = options.map(opts, CONFIGURE_OPTIONS, "configure")
  return self:_run({ method = "PUT", endpoint = self:_path("/properties"), data = serializer.object(data) },
    errors.CollectionConfigureError, function(resp) return strip(resp.body) end)
end

--- Collection revision.
-- @treturn string
function Collection:revision()
  return self:_run({ method = "GET", endpoint = self:_path("/revision") }, errors.CollectionRevisionError,
    function(resp) return resp.body.revision end)
end

--- Collection statistics (`GET .../figures`).
-- @tparam[opt] table opts `{details = false}`
-- @treturn table the figures
function Collection:statistics(opts)
  local params = options.map(opts, { details = "details" }, "statistics")
  return self:_run({ method = "GET", endpoint = self:_path("/figures"), params = params },
    errors.CollectionStatisticsError, function(resp) return resp.body.figures end)
end

--- Collection checksum.
-- @tparam[opt] table opts `{with_rev = false, with_data = false}`
-- @treturn string
function Collection:checksum(opts)
  local params = options.map(opts, { with_rev = "withRevisions", with_data = "withData" }, "checksum")
  return self:_run({ method = "GET", endpoint = self:_path("/checksum"), params = params },
    errors.CollectionChecksumError, function(resp) return resp.body.checksum end)
end

--- Number of documents.
-- @treturn int
function Collection:count()
  return self:_run({ method = "GET", endpoint = self:_path("/count") }, errors.DocumentCountError,
    function(resp) return resp.body.count end)
end

--- Load the collection into memory (a no-op on RocksDB, kept for API parity).
-- @treturn boolean true
function Collection:load()
  return self:_run({ method = "PUT", endpoint = self:_path("/load") }, errors.CollectionLoadError,
    function() return true end)
end

--- Unload the collection (a no-op on RocksDB, kept for API parity).
-- @treturn boolean true
function Collection:unload()
  return self:_run({ method = "PUT", endpoint = self:_path("/unload") }, errors.CollectionUnloadError,
    function() return true end)
end

--- Remove every document.
-- @tparam[opt] table opts `{sync, compact}`
-- @treturn boolean true
function Collection:truncate(opts)
  local params = options.map(opts, { sync = "waitForSync", compact = "compact" }, "truncate")
  return self:_run({ method = "PUT", endpoint = self:_path("/truncate"), params = params },
    errors.CollectionTruncateError, function() return true end)
end

--- Rename the collection (this handle follows the new name).
-- @tparam string new_name
-- @treturn boolean true
function Collection:rename(new_name)
  api.need_string(new_name, "rename: new name")
  return self:_run({ method = "PUT", endpoint = self:_path("/rename"), data = { name = new_name } },
    errors.CollectionRenameError, function()
      self._name = new_name
      return true
    end)
end

--- Recalculate the document count.
-- @treturn boolean true
function Collection:recalculate_count()
  return self:_run({ method = "PUT", endpoint = self:_path("/recalculateCount") },
    errors.CollectionRecalculateCountError, function() return true end)
end

--- The shard responsible for a document (cluster only; single servers answer with an error).
-- @tparam table doc a document with the shard key attributes
-- @treturn string the shard id
function Collection:responsible_shard(doc)
  if type(doc) ~= "table" then
    errors.ArangoOptionError:raise("responsible_shard: document must be a table")
  end
  return self:_run({ method = "PUT", endpoint = self:_path("/responsibleShard"), data = doc },
    errors.CollectionResponsibleShardError, function(resp) return resp.body.shardId end)
end

-- ========================================================================================
-- Documents
-- ========================================================================================

local INSERT_OPTIONS = {
  return_new = "returnNew", return_old = "returnOld", silent = "silent", overwrite = "overwrite",
  overwrite_mode = "overwriteMode", keep_null = "keepNull", merge_objects = "mergeObjects",
  sync = "waitForSync", refill_index_caches = "refillIndexCaches", version_attribute = "versionAttribute",
}
local UPDATE_OPTIONS = {
  check_rev = false, keep_null = "keepNull", merge_objects = "mergeObjects", sync = "waitForSync",
  return_new = "returnNew", return_old = "returnOld", silent = "silent",
  refill_index_caches = "refillIndexCaches", version_attribute = "versionAttribute",
}
local REPLACE_OPTIONS = {
  check_rev = false, sync = "waitForSync", return_new = "returnNew", return_old = "returnOld",
  silent = "silent", refill_index_caches = "refillIndexCaches", version_attribute = "versionAttribute",
}
local DELETE_OPTIONS = {
  check_rev = false, ignore_missing = false, sync = "waitForSync", return_old = "returnOld",
  silent = "silent", refill_index_caches = "refillIndexCaches",
}
local GET_OPTIONS = { rev = false, check_rev = false, allow_dirty_read = false }

function Collection:_doc_path(key)
  return "/_api/document/" .. escape(self._name) .. (key and ("/" .. escape(key)) or "")
end

local body_of = document.body

local function silent_or_body(resp, opts)
  if opts.silent then return true end
  return resp.body
end

-- Per-document results of a multi-document call: error entries become error objects
-- of `err_class` (with the batch response attached).
local function multi_results(resp, err_class)
  local out = {}
  for i, item in ipairs(resp.body) do
    if type(item) == "table" and item.error == true then
      out[i] = err_class:from_response(resp,
        { error_code = item.errorNum, error_message = item.errorMessage })
    else
      out[i] = item
    end
  end
  return out
end

--- Insert a document.
-- @tparam table doc
-- @tparam[opt] table opts `{return_new, return_old, silent, overwrite, overwrite_mode, keep_null,
--   merge_objects, sync, refill_index_caches, version_attribute}`
-- @treturn table `{_id, _key, _rev, new?, old?}` (true when `silent`)
function Collection:insert(doc, opts)
  local params = options.map(opts, INSERT_OPTIONS, "insert")
  local body = body_of(doc, self._name)
  return self:_run({ method = "POST", endpoint = self:_doc_path(), params = params, data = body },
    errors.DocumentInsertError, function(resp) return silent_or_body(resp, opts or {}) end)
end

local function array_of(docs, collection, what)
  if type(docs) ~= "table" then errors.ArangoOptionError:raise(what .. ": documents must be a list") end
  local list = {}
  for i, d in ipairs(docs) do list[i] = body_of(d, collection) end
  return serializer.array(list)
end

--- Insert many documents in one request.
-- @tparam {table,...} docs
-- @tparam[opt] table opts as `insert`
-- @treturn {table,...} per document: its metadata, or a `DocumentInsertError` object (true when `silent`)
function Collection:insert_many(docs, opts)
  local params = options.map(opts, INSERT_OPTIONS, "insert_many")
  local body = array_of(docs, self._name, "insert_many")
  return self:_run({ method = "POST", endpoint = self:_doc_path(), params = params, data = body },
    errors.DocumentInsertError, function(resp)
      if opts and opts.silent and type(resp.body) ~= "table" then return true end
      return multi_results(resp, errors.DocumentInsertError)
    end)
end

local IMPORT_OPTIONS = {
  from_prefix = "fromPrefix", to_prefix = "toPrefix", overwrite = "overwrite",
  overwrite_collection_prefix = "overwriteCollectionPrefix", on_duplicate = "onDuplicate",
  sync = "waitForSync", complete = "complete", details = "details", ignore_missing = "ignoreMissing",
  batch_size = false,
}

--- Bulk import (`POST /_api/import`), optionally in chunks of `batch_size` documents.
-- @tparam {table,...} docs
-- @tparam[opt] table opts `{on_duplicate ("error"|"update"|"replace"|"ignore"), overwrite, complete,
--   details, from_prefix, to_prefix, overwrite_collection_prefix, sync, ignore_missing, batch_size}`
-- @treturn table `{created, errors, empty, updated, ignored, details?}`; with `batch_size`, a list
--   of those, one per chunk
function Collection:import_bulk(docs, opts)
  local params = options.map(opts, IMPORT_OPTIONS, "import_bulk")
  params.collection = self._name
  params.type = "list"
  local list = array_of(docs, self._name, "import_bulk")
  local size = opts and opts.batch_size
  local function send(chunk)
    return self:_run({ method = "POST", endpoint = "/_api/import", params = params, data = chunk },
      errors.DocumentImportError, function(resp) return strip(resp.body) end)
  end
  if size == nil then return send(list) end
  -- A fractional size would make fractional chunk indices and silently drop documents.
  if type(size) ~= "number" or size < 1 or size ~= math.floor(size) then
    errors.ArangoOptionError:raise("import_bulk: batch_size must be a positive integer")
  end
  local results = {}
  for first = 1, #list, size do
    local chunk = serializer.array({})
    for i = first, math.min(first + size - 1, #list) do chunk[#chunk + 1] = list[i] end
    results[#results + 1] = send(chunk)
  end
  return results
end

local rev_headers = document.rev_headers

-- The headers of a single-document read: If-Match from the revision, and the dirty-read flag.
local function read_headers(doc, opts)
  local headers = rev_headers(doc, opts)
  if opts.allow_dirty_read then headers["x-arango-allow-dirty-read"] = "true" end
  return headers
end

--- Get a document; nil when it does not exist.
-- @param doc a key, an id or a table with `_key`/`_id`
-- @tparam[opt] table opts `{rev, check_rev = true, allow_dirty_read}`
-- @treturn ?table the document
function Collection:get(doc, opts)
  local _, key = document.resolve(self._name, doc)
  opts = options.check(opts, GET_OPTIONS, "get")
  return self:_run_document({ method = "GET", endpoint = self:_doc_path(key),
    headers = read_headers(doc, opts) },
    errors.DocumentGetError, function(resp) return resp.body end, { read = true, ignore_missing = true })
end

--- Get many documents in one request; missing ones are left out.
-- @tparam {any,...} docs keys, ids or tables with `_key`/`_id`
-- @tparam[opt] table opts `{allow_dirty_read}`
-- @treturn {table,...}
function Collection:get_many(docs, opts)
  if type(docs) ~= "table" then errors.ArangoOptionError:raise("get_many: documents must be a list") end
  opts = options.check(opts, { allow_dirty_read = true }, "get_many")
  local keys = serializer.array({})
  for i, d in ipairs(docs) do
    local _, key = document.resolve(self._name, d)
    keys[i] = key
  end
  local headers = {}
  if opts.allow_dirty_read then headers["x-arango-allow-dirty-read"] = "true" end
  return self:_run({ method = "PUT", endpoint = self:_doc_path(), params = { onlyget = true },
    headers = headers, data = keys }, errors.DocumentGetError, function(resp)
      local out = {}
      for _, item in ipairs(resp.body) do
        if type(item) == "table" and item.error ~= true then out[#out + 1] = item end
      end
      return out
    end)
end

--- Tell whether a document exists (HEAD request).
-- @param doc a key, an id or a table with `_key`/`_id`
-- @tparam[opt] table opts `{rev, check_rev = true, allow_dirty_read}`
-- @treturn boolean
function Collection:has(doc, opts)
  local _, key = document.resolve(self._name, doc)
  opts = options.check(opts, GET_OPTIONS, "has")
  return self:_run_raw({ method = "HEAD", endpoint = self:_doc_path(key), headers = read_headers(doc, opts) },
    function(resp)
      if resp.is_success then return true end
      if resp.status_code == 404 then
        -- HEAD has no body: tell a missing collection from a missing document by the header.
        local codes = resp.headers["x-arango-error-codes"]
        if resp.error_code == 1203 or (codes and codes:find("1203", 1, true)) then
          errors.DocumentInError:raise_from(resp)
        end
        return false
      end
      if resp.status_code == 412 then errors.DocumentRevisionError:raise_from(resp) end
      errors.DocumentInError:raise_from(resp)
    end)
end

local function modify(self, method, doc, opts, map, err_class, what)
  local _, key = document.resolve(self._name, doc)
  local params = options.map(opts, map, what)
  opts = opts or {}
  params.ignoreRevs = opts.check_rev == false
  return self:_run_document({ method = method, endpoint = self:_doc_path(key), params = params,
    headers = rev_headers(doc, opts), data = body_of(doc, self._name) }, err_class,
    function(resp) return silent_or_body(resp, opts) end)
end

--- Update (patch) a document; `doc` must carry `_key` or `_id`.
-- @tparam table doc the attributes to change, with `_key`/`_id` (and `_rev` to check)
-- @tparam[opt] table opts `{check_rev = true, keep_null = true, merge_objects = true, return_new,
--   return_old, sync, silent, refill_index_caches, version_attribute}`
-- @treturn table `{_id, _key, _rev, _oldRev, new?, old?}` (true when `silent`)
function Collection:update(doc, opts)
  return modify(self, "PATCH", doc, opts, UPDATE_OPTIONS, errors.DocumentUpdateError, "update")
end

--- Replace a document; `doc` must carry `_key` or `_id`.
-- @tparam table doc the new document
-- @tparam[opt] table opts `{check_rev = true, return_new, return_old, sync, silent,
--   refill_index_caches, version_attribute}`
-- @treturn table metadata (true when `silent`)
function Collection:replace(doc, opts)
  return modify(self, "PUT", doc, opts, REPLACE_OPTIONS, errors.DocumentReplaceError, "replace")
end

local function modify_many(self, method, docs, opts, map, err_class, what)
  local params = options.map(opts, map, what)
  opts = opts or {}
  params.ignoreRevs = opts.check_rev == false
  local body = array_of(docs, self._name, what)
  for _, d in ipairs(body) do
    if rawget(d, "_key") == nil then
      errors.DocumentParseError:raise(what .. ": every document needs _key or _id")
    end
  end
  return self:_run({ method = method, endpoint = self:_doc_path(), params = params, data = body },
    err_class, function(resp)
      if opts.silent and type(resp.body) ~= "table" then return true end
      return multi_results(resp, err_class)
    end)
end

--- Update many documents in one request.
-- @tparam {table,...} docs documents with `_key`/`_id`
-- @tparam[opt] table opts as `update`
-- @treturn {table,...} per document: metadata or a `DocumentUpdateError` object
function Collection:update_many(docs, opts)
  return modify_many(self, "PATCH", docs, opts, UPDATE_OPTIONS, errors.DocumentUpdateError, "update_many")
end

--- Replace many documents in one request.
-- @tparam {table,...} docs documents with `_key`/`_id`
-- @tparam[opt] table opts as `replace`
-- @treturn {table,...} per document: metadata or a `DocumentReplaceError` object
function Collection:replace_many(docs, opts)
  return modify_many(self, "PUT", docs, opts, REPLACE_OPTIONS, errors.DocumentReplaceError, "replace_many")
end

--- Delete a document.
-- @param doc a key, an id or a table with `_key`/`_id` (and `_rev` to check)
-- @tparam[opt] table opts `{check_rev = true, ignore_missing = false, return_old, sync, silent,
--   refill_index_caches}`
-- @return metadata `{_id, _key, _rev, old?}`, true when `silent`, false when missing and `ignore_missing`
function Collection:delete(doc, opts)
  local _, key = document.resolve(self._name, doc)
  local params = options.map(opts, DELETE_OPTIONS, "delete")
  opts = opts or {}
  local headers = rev_headers(doc, opts)
  return self:_run_document({ method = "DELETE", endpoint = self:_doc_path(key), params = params,
    headers = headers }, errors.DocumentDeleteError, function(resp) return silent_or_body(resp, opts) end,
    { ignore_missing = opts.ignore_missing, missing_value = false })
end

--- Delete many documents in one request; missing ones are ignored.
-- @tparam {any,...} docs keys, ids or tables with `_key`/`_id`
-- @tparam[opt] table opts `{check_rev = true, return_old, sync, silent, refill_index_caches}`
-- @treturn {any,...} per document: metadata, false when it was missing, or a
--   `DocumentDeleteError` object
function Collection:delete_many(docs, opts)
  if type(docs) ~= "table" then errors.ArangoOptionError:raise("delete_many: documents must be a list") end
  local params = options.map(opts, DELETE_OPTIONS, "delete_many")
  opts = opts or {}
  params.ignoreRevs = opts.check_rev == false
  local body = serializer.array({})
  for i, d in ipairs(docs) do
    local _, key = document.resolve(self._name, d)
    local rev = document.rev_of(d)
    body[i] = rev and { _key = key, _rev = rev } or key
  end
  return self:_run({ method = "DELETE", endpoint = self:_doc_path(), params = params, data = body },
    errors.DocumentDeleteError, function(resp)
      if opts.silent and type(resp.body) ~= "table" then return true end
      local out = multi_results(resp, errors.DocumentDeleteError)
      for i, item in ipairs(out) do
        if errors.is(item) and item.error_code == 1202 then out[i] = false end
      end
      return out
    end)
end

-- ========================================================================================
-- AQL-backed helpers (find, all, *_match)
-- ========================================================================================

local function sorted_keys(t)
  local keys = {}
  for k in pairs(t) do
    if type(k) ~= "string" or k == "" then
      errors.ArangoOptionError:raise("filter attribute names must be non-empty strings")
    end
    keys[#keys + 1] = k
  end
  table.sort(keys)
  return keys
end

-- "FILTER doc[@f1_1][@f1_2] == @v1 AND ..." for an example table; dotted names are paths.
-- Attribute names and values only ever travel as bind variables.
local function filter_clause(filters, bind)
  if filters == nil then return "" end
  if type(filters) ~= "table" then errors.ArangoOptionError:raise("filters must be a table") end
  local parts = {}
  for i, field in ipairs(sorted_keys(filters)) do
    local path = {}
    local j = 0
    for segment in field:gmatch("[^.]+") do
      j = j + 1
      local name = "f" .. i .. "_" .. j
      bind[name] = segment
      path[#path + 1] = "[@" .. name .. "]"
    end
    bind["v" .. i] = filters[field]
    parts[#parts + 1] = "doc" .. table.concat(path) .. " == @v" .. i
  end
  if #parts == 0 then return "" end
  return " FILTER " .. table.concat(parts, " AND ")
end

local MAX_LIMIT = 9007199254740991

local function limit_clause(skip, limit, bind)
  if skip == nil and limit == nil then return "" end
  if skip ~= nil and (type(skip) ~= "number" or skip < 0) then
    errors.ArangoOptionError:raise("skip must be a non-negative number")
  end
  if limit ~= nil and (type(limit) ~= "number" or limit < 0) then
    errors.ArangoOptionError:raise("limit must be a non-negative number")
  end
  bind.skip = skip or 0
  bind.limit = limit or MAX_LIMIT
  return " LIMIT @skip, @limit"
end

local CURSOR_OPTIONS = { batch_size = true, ttl = true, stream = true, allow_dirty_read = true, count = true }

local function cursor_opts(opts, bind)
  local out = { bind_vars = bind }
  for k in pairs(CURSOR_OPTIONS) do out[k] = opts[k] end
  return out
end

--- Documents matching an example (AQL `FILTER doc.a == @v ...`); dotted names match nested paths.
-- @tparam table filters `{attribute = value, ["a.b"] = value, ...}` (empty: every document)
-- @tparam[opt] table opts `{skip, limit, batch_size, ttl, stream, count, allow_dirty_read}`
-- @return an `arango.cursor` Cursor
function Collection:find(filters, opts)
  opts = options.check(opts, options.merge(CURSOR_OPTIONS, { skip = true, limit = true }), "find")
  local bind = { ["@collection"] = self._name }
  local query = "FOR doc IN @@collection" .. filter_clause(filters, bind)
    .. limit_clause(opts.skip, opts.limit, bind) .. " RETURN doc"
  return self._db.aql:_execute(query, cursor_opts(opts, bind), errors.DocumentGetError)
end

--- Every document of the collection.
-- @tparam[opt] table opts `{skip, limit, batch_size, ttl, stream, count, allow_dirty_read}`
-- @return an `arango.cursor` Cursor
function Collection:all(opts)
  return self:find(nil, opts)
end

local function count_cursor(cursor)
  local n = 0
  for _ in cursor do n = n + 1 end
  return n
end

--- Update every document matching an example.
-- @tparam table filters as `find`
-- @tparam table body the attributes to set
-- @tparam[opt] table opts `{limit, keep_null = true, merge_objects = true, sync = false}`
-- @treturn int number of updated documents
function Collection:update_match(filters, body, opts)
  opts = options.check(opts, { limit = true, keep_null = true, merge_objects = true, sync = true },
    "update_match")
  if type(body) ~= "table" then errors.ArangoOptionError:raise("update_match: body must be a table") end
  local bind = { ["@collection"] = self._name, body = body,
    keep_null = opts.keep_null ~= false, merge_objects = opts.merge_objects ~= false,
    sync = opts.sync == true }
  local query = "FOR doc IN @@collection" .. filter_clause(filters, bind)
    .. limit_clause(nil, opts.limit, bind)
    .. " UPDATE doc WITH @body IN @@collection"
    .. " OPTIONS { keepNull: @keep_null, mergeObjects: @merge_objects, waitForSync: @sync } RETURN 1"
  return count_cursor(self._db.aql:_execute(query, { bind_vars = bind }, errors.DocumentUpdateError))
end

--- Replace every document matching an example.
-- @tparam table filters as `find`
-- @tparam table body the new document content
-- @tparam[opt] table opts `{limit, sync = false}`
-- @treturn int number of replaced documents
function Collection:replace_match(filters, body, opts)
  opts = options.check(opts, { limit = true, sync = true }, "replace_match")
  if type(body) ~= "table" then errors.ArangoOptionError:raise("replace_match: body must be a table") end
  local bind = { ["@collection"] = self._name, body = body, sync = opts.sync == true }
  local query = "FOR doc IN @@collection" .. filter_clause(filters, bind)
    .. limit_clause(nil, opts.limit, bind)
    .. " REPLACE doc WITH @body IN @@collection OPTIONS { waitForSync: @sync } RETURN 1"
  return count_cursor(self._db.aql:_execute(query, { bind_vars = bind }, errors.DocumentReplaceError))
end

--- Delete every document matching an example.
-- @tparam table filters as `find`
-- @tparam[opt] table opts `{limit, sync = false}`
-- @treturn int number of deleted documents
function Collection:delete_match(filters, opts)
  opts = options.check(opts, { limit = true, sync = true }, "delete_match")
  local bind = { ["@collection"] = self._name, sync = opts.sync == true }
  local query = "FOR doc IN @@collection" .. filter_clause(filters, bind)
    .. limit_clause(nil, opts.limit, bind)
    .. " REMOVE doc IN @@collection OPTIONS { waitForSync: @sync } RETURN 1"
  return count_cursor(self._db.aql:_execute(query, { bind_vars = bind }, errors.DocumentDeleteError))
end

-- ========================================================================================
-- Indexes
-- ========================================================================================

--- Every index of the collection.
-- @treturn {table,...} index descriptions (server attribute names)
function Collection:indexes()
  return self:_run({ method = "GET", endpoint = "/_api/index", params = { collection = self._name } },
    errors.IndexListError, function(resp) return resp.body.indexes end)
end

local function index_result(resp)
  local out = strip(resp.body)
  out.new = out.isNewlyCreated
  return out
end

--- Create an index from a raw server definition (`{type = "persistent", fields = {...}, ...}`).
-- @tparam table def
-- @treturn table the index description, with `new` = whether it was created now
function Collection:add_index(def)
  if type(def) ~= "table" then errors.ArangoOptionError:raise("add_index: definition must be a table") end
  return self:_run({ method = "POST", endpoint = "/_api/index", params = { collection = self._name },
    data = def }, errors.IndexCreateError, index_result)
end

local function camel(name)
  return (name:gsub("_(%w)", function(c) return c:upper() end))
end

local RENAMES = { expiry_time = "expireAfter", geo_json = "geoJson", legacy_polygons = "legacyPolygons",
  in_background = "inBackground", min_length = "minLength" }

-- Typed helpers take snake_case options and convert them to the server's names.
local function typed(kind)
  return function(self, opts)
    if type(opts) ~= "table" then
      errors.ArangoOptionError:raise("add_" .. kind .. "_index: options must be a table")
    end
    if type(opts.fields) ~= "table" then
      errors.ArangoOptionError:raise("add_" .. kind .. "_index: fields must be a list")
    end
    local def = { type = kind }
    for k, v in pairs(opts) do
      if type(k) ~= "string" then errors.ArangoOptionError:raise("index options must have string keys") end
      if k ~= "type" then def[RENAMES[k] or camel(k)] = v end
    end
    return self:add_index(def)
  end
end

--- Add a persistent index: `{fields, unique, sparse, name, deduplicate, estimates, cache_enabled,
-- stored_values, in_background}`.
-- @function add_persistent_index
-- @tparam table opts
-- @treturn table the index
Collection.add_persistent_index = typed("persistent")

--- Add a hash index (an alias of persistent since ArangoDB 3.7): same options.
-- @function add_hash_index
-- @tparam table opts
-- @treturn table the index
Collection.add_hash_index = typed("hash")

--- Add a skiplist index (an alias of persistent since ArangoDB 3.7): same options.
-- @function add_skiplist_index
-- @tparam table opts
-- @treturn table the index
Collection.add_skiplist_index = typed("skiplist")

--- Add a fulltext index: `{fields, min_length, name, in_background}`.
-- @function add_fulltext_index
-- @tparam table opts
-- @treturn table the index
Collection.add_fulltext_index = typed("fulltext")

--- Add a geo index: `{fields, geo_json, legacy_polygons, name, in_background}`.
-- @function add_geo_index
-- @tparam table opts
-- @treturn table the index
Collection.add_geo_index = typed("geo")

--- Add a TTL index: `{fields, expiry_time (seconds), name, in_background}`.
-- @function add_ttl_index
-- @tparam table opts
-- @treturn table the index
Collection.add_ttl_index = typed("ttl")

--- Add an inverted index: `{fields, name, analyzer, features, include_all_fields,
-- track_list_positions, search_field, primary_sort, stored_values, cache, parallelism, ...}`.
-- @function add_inverted_index
-- @tparam table opts
-- @treturn table the index
Collection.add_inverted_index = typed("inverted")

--- Add a multi-dimensional index: `{fields, field_value_types = "double", unique, sparse,
-- prefix_fields, stored_values, name, in_background}` (with `prefix_fields`: type mdi-prefixed).
-- @tparam table opts
-- @treturn table the index
function Collection:add_mdi_index(opts)
  local f = typed(type(opts) == "table" and opts.prefix_fields and "mdi-prefixed" or "mdi")
  return f(self, opts)
end

--- Add a vector index: `{fields, params = {metric, dimension, nLists, ...}, parallelism, name,
-- in_background}`.
-- @function add_vector_index
-- @tparam table opts
-- @treturn table the index
Collection.add_vector_index = typed("vector")

local function index_path(self, id)
  if type(id) ~= "string" and type(id) ~= "number" then
    errors.ArangoOptionError:raise("index id must be a string or number")
  end
  id = tostring(id)
  local col, rest = id:match("^([^/]+)/(.+)$")
  if col then
    if col ~= self._name then
      errors.ArangoOptionError:raise("index '" .. id .. "' does not belong to collection '"
        .. self._name .. "'")
    end
    id = rest
  end
  return "/_api/index/" .. escape(self._name) .. "/" .. escape(id)
end

--- One index by id ("collection/123" or "123") or name.
-- @param id
-- @treturn table the index
function Collection:index(id)
  return self:_run({ method = "GET", endpoint = index_path(self, id) }, errors.IndexGetError,
    function(resp) return strip(resp.body) end)
end

--- Delete an index.
-- @param id "collection/123", "123" or the index name
-- @tparam[opt] table opts `{ignore_missing = false}`
-- @treturn boolean true, or false when missing and `ignore_missing`
function Collection:delete_index(id, opts)
  opts = options.check(opts, { ignore_missing = true }, "delete_index")
  return self:_run_found({ method = "DELETE", endpoint = index_path(self, id) }, errors.IndexDeleteError,
    { code = 1212 }, opts.ignore_missing)
end

return M
