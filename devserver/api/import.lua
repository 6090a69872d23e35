-- POST /_api/import?collection=&type=documents|list|array|auto (or none: JSON arrays, the
-- first naming the attributes): bulk import with onDuplicate (error|update|replace|ignore),
-- overwrite (truncate first), complete (all or nothing), details (per-line messages),
-- fromPrefix/toPrefix/overwriteCollectionPrefix for edges, ignoreMissing, waitForSync.
local json = require "arango.json"
local errors = require "arango.devserver.errors"
local document = require "arango.devserver.api.document"

local M = {}

local qbool = document.qbool
local ON_DUPLICATE = { error = true, update = true, replace = true, ignore = true }

local function lines_of(body)
  local out, n = {}, 0
  for line in (body .. "\n"):gmatch("(.-)\r?\n") do
    n = n + 1
    out[n] = line
  end
  if n > 0 and out[n] == "" then out[n] = nil end
  return out
end

local function blank(s) return s:find("^%s*$") ~= nil end

local function offending(v)
  local ok, s = pcall(json.encode, v)
  return ok and s or tostring(v)
end

-- Turns the request body into { {pos=, doc=} | {pos=, err=} ... } and the count of empty lines.
local function parse(ctx, kind)
  local body = ctx.body or ""
  local items, empty = {}, 0
  if kind == "auto" then
    kind = body:find("^%s*%[") and "list" or "documents"
  end
  if kind == "list" or kind == "array" then
    local list = ctx:json{ required = true }
    if not json.is_array(list) then ctx:fail(400, 400, "expecting a JSON array in the request") end
    for i, v in ipairs(list) do items[#items + 1] = { pos = i - 1, doc = v } end
  elseif kind == "documents" then
    for i, line in ipairs(lines_of(body)) do
      if blank(line) then
        empty = empty + 1
      else
        local ok, v = pcall(json.decode, line)
        if ok then items[#items + 1] = { pos = i - 1, doc = v }
        else items[#items + 1] = { pos = i - 1,
          err = "invalid JSON type (expecting object, probably parse error)",
          context = line } end
      end
    end
  else
    local header
    local ignore_missing = qbool(ctx.query, "ignoreMissing", false)
    for i, line in ipairs(lines_of(body)) do
      if blank(line) then
        if header then empty = empty + 1 end
      else
        local ok, v = pcall(json.decode, line)
        if not header then
          if not ok or not json.is_array(v) or #v == 0 then
            ctx:fail(400, 400, "no JSON array found in first line")
          end
          for _, name in ipairs(v) do
            if type(name) ~= "string" then ctx:fail(400, 400, "header line must contain strings only") end
          end
          header = v
        elseif not ok or not json.is_array(v) then
          items[#items + 1] = { pos = i - 1, err = "no valid JSON array data", context = line }
        elseif #v ~= #header and not (ignore_missing and #v < #header) then
          items[#items + 1] = { pos = i - 1,
            err = string.format("wrong number of JSON values (got %d, expected %d)",
            #v, #header), context = line }
        else
          local doc = {}
          for j, name in ipairs(header) do
            local x = v[j]
            if x ~= nil and x ~= json.null then doc[name] = x end
          end
          items[#items + 1] = { pos = i - 1, doc = doc }
        end
      end
    end
  end
  return items, empty
end

local function prefixed(v, prefix, force)
  if type(v) ~= "string" or not prefix or prefix == "" then return v end
  local slash = v:find("/", 1, true)
  if not slash then return prefix .. "/" .. v end
  if force then return prefix .. "/" .. v:sub(slash + 1) end
  return v
end

-- Imports the parsed items (inside the transaction in opts.trx); returns status, body.
local function run_import(ctx, col, items, empty, opts)
  local q = ctx.query
  local on_dup = q.onDuplicate or "error"
  local complete, want_details = qbool(q, "complete", false), qbool(q, "details", false)
  local force_prefix = qbool(q, "overwriteCollectionPrefix", false)

  local res = { error = false, created = 0, errors = 0, empty = empty, updated = 0, ignored = 0 }
  local details = json.array{}
  local first_error
  local function failed(item, msg, e)
    res.errors = res.errors + 1
    details[#details + 1] = string.format("at position %d: %s, offending document: %s", item.pos, msg,
      item.context or offending(item.doc))
    first_error = first_error or e or errors.new(400, 1227, msg)
  end
  for _, item in ipairs(items) do
    local doc = item.doc
    if item.err then
      failed(item, item.err)
    elseif type(doc) ~= "table" or json.is_array(doc) then
      failed(item, "invalid JSON type (expecting object, probably parse error)", errors.new(400, 1227))
    else
      if col.type == 3 then
        doc._from = prefixed(doc._from, q.fromPrefix, force_prefix)
        doc._to = prefixed(doc._to, q.toPrefix, force_prefix)
      end
      if col.type == 3 and (doc._from == nil or doc._to == nil) then
        failed(item, "missing '_from' or '_to' attribute", errors.new(400, 1233))
      else
        local key = doc._key
        local existing = type(key) == "string" and col.docs[key] or nil
        local ok, e = pcall(function()
          if existing and on_dup == "ignore" then
            res.ignored = res.ignored + 1
          elseif existing and on_dup == "update" then
            col:update(key, doc, opts)
            res.updated = res.updated + 1
          elseif existing and on_dup == "replace" then
            col:replace(key, doc, opts)
            res.updated = res.updated + 1
          else
            col:insert(doc, opts)
            res.created = res.created + 1
          end
        end)
        if not ok then
          local msg = errors.is_error(e) and e.message or tostring(e)
          failed(item, "creating document failed with error '" .. msg .. "'", errors.is_error(e) and e or nil)
        end
      end
    end
    if complete and first_error then break end
  end
  if complete and first_error then
    local e = first_error
    local body = errors.body(e)
    if want_details then body.details = details end
    return e.status, body
  end
  if want_details then res.details = details end
  return 201, res
end

local function import(ctx)
  local q = ctx.query
  local name = q.collection
  if not name or name == "" then
    ctx:fail(400, 1204, "'collection' is missing, expecting /_api/import?collection=<identifier>")
  end
  local col = document.collection(ctx, name, "rw")
  local kind = q.type
  if kind ~= nil and kind ~= "documents" and kind ~= "list" and kind ~= "array" and kind ~= "auto" then
    ctx:fail(400, 400, "invalid value for 'type'")
  end
  local on_dup = q.onDuplicate or "error"
  if not ON_DUPLICATE[on_dup] then ctx:fail(400, 400, "invalid value for 'onDuplicate'") end
  local opts = { waitForSync = qbool(q, "waitForSync", false) }
  local items, empty = parse(ctx, kind)
  -- the whole import is one transaction: one log unit, rolled back with complete=true
  local trx = col.db.server:begin()
  opts.trx = trx
  local ok, status, body = pcall(function()
    if qbool(q, "overwrite", false) then col:truncate(opts) end
    return run_import(ctx, col, items, empty, opts)
  end)
  if not ok then
    trx:abort()
    error(status, 0)
  end
  if status == 201 then trx:commit() else trx:abort() end
  return status, body
end

function M.register(router)
  router:add("POST", "/_api/import", import)
end

return M
