-- Document endpoints: /_api/document/{collection}[/{key}] for single documents and arrays
-- (create, read, read-many with ?onlyget, replace, update, remove, HEAD), with ArangoDB's
-- options, If-Match/If-None-Match revision checks (412/304), etag/location headers, 201 vs 202
-- by waitForSync, and per-document errors plus x-arango-error-codes for arrays.
-- Also exports the helpers the other data endpoints share: qbool, collection, doc_error,
-- error_codes, unquote, conflict, write_opts.
local json = require "arango.json"
local errors = require "arango.devserver.errors"
local store_collection = require "arango.devserver.store.collection"

local M = {}

local TRUE = { ["true"] = true, ["1"] = true, yes = true, on = true, y = true }

--- A boolean query parameter ("true"/"1"/"yes"/"on" are true; anything else given is false).
function M.qbool(q, name, default)
  local v = q[name]
  if v == nil then return default end
  return TRUE[v:lower()] == true
end
local qbool = M.qbool

--- The collection named in the path (404/1203 when missing), after the permission check.
function M.collection(ctx, name, level)
  ctx:need(level, name)
  local col = ctx.db:collection(name)
  if not col then ctx:fail(404, 1203) end
  return col
end
local find_collection = M.collection

--- The per-document error object of array responses.
function M.doc_error(e)
  if not errors.is_error(e) then
    io.stderr:write("devserver: internal error in document operation: ", tostring(e), "\n")
    e = errors.new(500, 4, "internal error")
  end
  local out = { error = true, errorNum = e.num, errorMessage = e.message }
  if e.extra then for k, v in pairs(e.extra) do out[k] = v end end
  return out
end

--- The x-arango-error-codes value for a list of per-document results, or nil.
function M.error_codes(results)
  local counts, any = {}, false
  for _, r in ipairs(results) do
    if r.error == true then
      local k = tostring(r.errorNum)
      counts[k] = (counts[k] or 0) + 1
      any = true
    end
  end
  if not any then return nil end
  return json.encode(counts)
end

--- An If-Match/If-None-Match value without blanks and quotes (nil stays nil).
function M.unquote(v)
  if not v then return nil end
  v = v:match("^%s*(.-)%s*$")
  local inner = v:match('^"(.*)"$')
  return inner or v
end
local unquote = M.unquote

--- Raises ArangoDB's revision conflict (412/1200) naming the stored document's _id, _key and
-- _rev; `headers` go with the answer (default: the document's quoted etag). The store's.
M.conflict = store_collection.conflict

local function etag(rev) return '"' .. rev .. '"' end

local function location(ctx, col, key)
  return "/_db/" .. ctx.db_name .. "/_api/document/" .. col.name .. "/" .. key
end

-- ArangoDB's write options from the query string.
local function write_opts(ctx)
  local q = ctx.query
  local o = {
    waitForSync = qbool(q, "waitForSync", false),
    returnNew = qbool(q, "returnNew", false),
    returnOld = qbool(q, "returnOld", false),
    silent = qbool(q, "silent", false),
    keepNull = qbool(q, "keepNull", true),
    mergeObjects = qbool(q, "mergeObjects", true),
    ignoreRevs = qbool(q, "ignoreRevs", true),
    isRestore = qbool(q, "isRestore", false),
    overwrite = qbool(q, "overwrite", false),
  }
  if q.overwriteMode and q.overwriteMode ~= "" then o.overwriteMode = q.overwriteMode end
  if q.versionAttribute and q.versionAttribute ~= "" then o.versionAttribute = q.versionAttribute end
  return o
end
M.write_opts = write_opts

local function body_of(ctx)
  return ctx:json{ required = true }
end

local function is_list(v) return type(v) == "table" and json.is_array(v) end

-- Runs `op(item)` for every element, collecting results or per-document errors.
local function each(items, op)
  local out, failed = json.array{}, false
  for i, item in ipairs(items) do
    local ok, r = pcall(op, item)
    if ok then
      out[i] = r
    else
      out[i] = M.doc_error(r)
      failed = true
    end
  end
  return out, failed
end

-- Runs `each(items, op)` as one transaction of `col`'s server (set in opts.trx for `op`): the
-- request's writes reach the log as one unit (a crash keeps all or none of them). A
-- per-document error does not abort the others (each operation changes nothing when it
-- fails), as in ArangoDB.
local function each_in_transaction(col, opts, items, op)
  return col.db.server:run_in_transaction(function(trx)
    opts.trx = trx
    return each(items, op)
  end)
end

local function multi_response(out, failed, ok_status, opts)
  local headers = {}
  local codes = M.error_codes(out)
  if codes then headers["x-arango-error-codes"] = codes end
  local status = (not failed and ok_status) or 202
  if opts.silent then
    local errs = json.array{}
    for _, r in ipairs(out) do if r.error then errs[#errs + 1] = r end end
    return status, errs, headers
  end
  return status, out, headers
end

---------------------------------------------------------------------------------------------
-- single documents

local function read_one(ctx)
  local col = find_collection(ctx, ctx.params.collection, "ro")
  local doc = col:get(ctx.params.key)
  if not doc then ctx:fail(404, 1202) end
  local h = ctx.headers
  local tag = { etag = etag(doc._rev) }
  local none_match = unquote(h["if-none-match"])
  if none_match and none_match == doc._rev then return 304, nil, tag end
  local match = unquote(h["if-match"])
  if match and match ~= doc._rev then M.conflict(doc, tag) end
  if ctx.method == "HEAD" then
    tag["content-type"] = "application/json; charset=utf-8" -- ArangoDB announces the JSON it omits
    return 200, nil, tag
  end
  return 200, doc, tag
end

local function single_write(ctx, col, r, status_ok, opts)
  local headers = { etag = etag(r._rev), location = location(ctx, col, r._key) }
  local status = col:syncs(opts) and status_ok or 202
  if opts.silent then return status, json.object{}, headers end
  return status, r, headers
end

local function create(ctx)
  local col = find_collection(ctx, ctx.params.collection, "rw")
  local body = body_of(ctx)
  local opts = write_opts(ctx)
  if is_list(body) then
    local out, failed = each_in_transaction(col, opts, body, function(d) return (col:insert(d, opts)) end)
    return multi_response(out, failed, col:syncs(opts) and 201 or 202, opts)
  end
  if type(body) ~= "table" then ctx:fail(400, 1227) end
  local r = col:insert(body, opts)
  return single_write(ctx, col, r, 201, opts)
end

local function modify_one(ctx, how)
  local col = find_collection(ctx, ctx.params.collection, "rw")
  local body = body_of(ctx)
  if type(body) ~= "table" or is_list(body) then ctx:fail(400, 1227) end
  local opts = write_opts(ctx)
  opts.ifMatch = unquote(ctx.headers["if-match"])
  local r
  if how == "replace" then r = col:replace(ctx.params.key, body, opts)
  else r = col:update(ctx.params.key, body, opts) end
  return single_write(ctx, col, r, 201, opts)
end

local function remove_one(ctx)
  local col = find_collection(ctx, ctx.params.collection, "rw")
  local opts = write_opts(ctx)
  opts.ifMatch = unquote(ctx.headers["if-match"])
  local r = col:remove(ctx.params.key, opts)
  return single_write(ctx, col, r, 200, opts)
end

---------------------------------------------------------------------------------------------
-- arrays

local function selector_key(item)
  if type(item) == "string" then return item end
  if type(item) == "table" and not json.is_array(item) then
    local k = item._key
    if k == nil and type(item._id) == "string" then k = item._id end
    if k == nil then errors.raise(400, 1205) end
    return k
  end
  errors.raise(400, 1205)
end

local function read_many(ctx, col)
  local body = body_of(ctx)
  if not is_list(body) then ctx:fail(400, 10, "expecting array of documents or keys") end
  local ignore_revs = qbool(ctx.query, "ignoreRevs", true)
  local out = each(body, function(item)
    local key = selector_key(item)
    if type(key) ~= "string" then errors.raise(400, 1205) end
    local doc = col:get(key)
    if not doc then errors.raise(404, 1202) end
    local given = type(item) == "table" and item._rev
    if not ignore_revs and type(given) == "string" and given ~= doc._rev then M.conflict(doc) end
    return doc
  end)
  local headers = {}
  local codes = M.error_codes(out)
  if codes then headers["x-arango-error-codes"] = codes end
  return 200, out, headers
end

local function modify_many(ctx, how)
  local q = ctx.query
  if how == "replace" and qbool(q, "onlyget", false) then
    return read_many(ctx, find_collection(ctx, ctx.params.collection, "ro"))
  end
  local col = find_collection(ctx, ctx.params.collection, "rw")
  local body = body_of(ctx)
  if not is_list(body) then ctx:fail(400, 10, "expecting array of documents") end
  local opts = write_opts(ctx)
  local out, failed = each_in_transaction(col, opts, body, function(item)
    if type(item) ~= "table" or json.is_array(item) then errors.raise(400, 1227) end
    local key = item._key
    if key == nil then errors.raise(400, 1205) end
    local r
    if how == "replace" then r = col:replace(key, item, opts) else r = col:update(key, item, opts) end
    return r
  end)
  return multi_response(out, failed, col:syncs(opts) and 201 or 202, opts)
end

local function remove_many(ctx)
  local col = find_collection(ctx, ctx.params.collection, "rw")
  local body = body_of(ctx)
  if not is_list(body) then ctx:fail(400, 10, "expecting array of keys or documents") end
  local opts = write_opts(ctx)
  local out, failed = each_in_transaction(col, opts, body, function(item)
    if type(item) == "table" and json.is_array(item) then errors.raise(400, 1227) end
    if type(item) ~= "string" and type(item) ~= "table" then errors.raise(400, 1227) end
    return (col:remove(item, opts))
  end)
  return multi_response(out, failed, col:syncs(opts) and 200 or 202, opts)
end

function M.register(router)
  router:add({ "GET", "HEAD" }, "/_api/document/:collection/:key", read_one)
  router:add("POST", "/_api/document/:collection", create)
  router:add("PUT", "/_api/document/:collection/:key", function(ctx) return modify_one(ctx, "replace") end)
  router:add("PATCH", "/_api/document/:collection/:key", function(ctx) return modify_one(ctx, "update") end)
  router:add("DELETE", "/_api/document/:collection/:key", remove_one)
  router:add("PUT", "/_api/document/:collection", function(ctx) return modify_many(ctx, "replace") end)
  router:add("PATCH", "/_api/document/:collection", function(ctx) return modify_many(ctx, "update") end)
  router:add("DELETE", "/_api/document/:collection", remove_many)
  -- POST /_api/document?collection=name is the old form drivers still send
  router:add("POST", "/_api/document", function(ctx)
    if not ctx.query.collection then ctx:fail(400, 1204) end
    ctx.params.collection = ctx.query.collection
    return create(ctx)
  end)
end

return M
