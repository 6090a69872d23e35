--- Document handles: parsing and validating ids and keys before any request is sent.
-- @module arango.document

local errors = require "arango.errors"

local M = {}

local MAX_KEY_LENGTH = 254
local MAX_NAME_LENGTH = 256

local function parse_error(msg)
  errors.DocumentParseError:raise(msg)
end

--- Tell whether `key` is a valid document key (characters and length ArangoDB accepts).
-- @param key
-- @treturn boolean
function M.is_valid_key(key)
  return type(key) == "string" and #key > 0 and #key <= MAX_KEY_LENGTH
    and key:find("^[%w_%-:%.@%(%)%+,=;%$!%*'%%]+$") ~= nil
end

--- Tell whether `name` is usable as a collection name in an id (non-empty, no `/`, no controls).
-- @param name
-- @treturn boolean
function M.is_valid_collection_name(name)
  return type(name) == "string" and #name > 0 and #name <= MAX_NAME_LENGTH
    and not name:find("[/%c]")
end

--- Split and validate a document id "collection/key".
-- @tparam string id
-- @treturn string collection
-- @treturn string key
function M.split_id(id)
  if type(id) ~= "string" then parse_error("document id must be a string (got " .. type(id) .. ")") end
  local col, key = id:match("^([^/]*)/(.*)$")
  if not col then parse_error("bad document id '" .. id .. "': expected 'collection/key'") end
  if not M.is_valid_collection_name(col) then
    parse_error("bad collection name in document id '" .. id .. "'")
  end
  if not M.is_valid_key(key) then parse_error("bad document key in id '" .. id .. "'") end
  return col, key
end

--- Validate a key.
-- @tparam string key
-- @treturn string key
function M.check_key(key)
  if not M.is_valid_key(key) then
    parse_error("bad document key " .. (type(key) == "string" and ("'" .. key .. "'") or type(key)))
  end
  return key
end

--- Resolve a key, an id or a document table against a collection.
-- @tparam string collection the collection the handle must belong to
-- @param value a key, an id ("collection/key"), or a table with `_id` or `_key`
-- @treturn string id
-- @treturn string key
function M.resolve(collection, value)
  local tv = type(value)
  if tv == "table" then
    local id, key = rawget(value, "_id"), rawget(value, "_key")
    if id ~= nil then
      local col, k = M.split_id(id)
      if col ~= collection then
        parse_error("document id '" .. id .. "' does not belong to collection '" .. collection .. "'")
      end
      return id, k
    elseif key ~= nil then
      M.check_key(key)
      return collection .. "/" .. key, key
    end
    parse_error("document has neither _id nor _key")
  elseif tv == "string" then
    if value:find("/", 1, true) then
      local col, k = M.split_id(value)
      if col ~= collection then
        parse_error("document id '" .. value .. "' does not belong to collection '" .. collection .. "'")
      end
      return value, k
    end
    M.check_key(value)
    return collection .. "/" .. value, value
  end
  parse_error("document must be a key, an id or a table with _id/_key (got " .. tv .. ")")
end

--- Resolve an id or a table with `_id` (database-level document methods).
-- @param value an id or a table with `_id`
-- @treturn string collection
-- @treturn string key
-- @treturn string id
function M.resolve_id(value)
  local id = value
  if type(value) == "table" then
    id = rawget(value, "_id")
    if id == nil then parse_error("document has no _id") end
  end
  local col, key = M.split_id(id)
  return col, key, id
end

--- The `_rev` of a document table (nil for strings or when absent).
-- @param value
-- @treturn ?string
function M.rev_of(value)
  if type(value) == "table" then
    local rev = rawget(value, "_rev")
    if type(rev) == "string" then return rev end
  end
  return nil
end

--- If-Match headers for a single-document request: the revision in `opts.rev`, else the
-- document's `_rev`, unless `opts.check_rev == false`.
-- @param doc a key, an id or a document table
-- @tparam table opts the caller's options (`rev`, `check_rev`)
-- @treturn table headers (possibly empty)
function M.rev_headers(doc, opts)
  local headers = {}
  local rev = opts.rev or M.rev_of(doc)
  if opts.check_rev ~= false and rev then headers["if-match"] = rev end
  return headers
end

--- A document as a request body for `collection`: a table with `_id` becomes a shallow copy
-- without it (the server rejects ids in bodies) whose `_key` defaults to the id's key; a table
-- without `_id` is returned as is, after checking its `_key`.
-- @tparam table doc
-- @tparam string collection the collection the document must belong to
-- @tparam[opt] string what what the document is called in errors ("document", "vertex", "edge")
-- @treturn table the body
function M.body(doc, collection, what)
  what = what or "document"
  if type(doc) ~= "table" then parse_error(what .. " must be a table (got " .. type(doc) .. ")") end
  local id = rawget(doc, "_id")
  if id ~= nil then
    local col, key = M.split_id(id)
    if col ~= collection then
      parse_error(what .. " id '" .. id .. "' does not belong to collection '" .. collection .. "'")
    end
    local copy = setmetatable({}, getmetatable(doc))
    for k, v in pairs(doc) do copy[k] = v end
    copy._id = nil
    if copy._key == nil then copy._key = key end
    return copy
  end
  local key = rawget(doc, "_key")
  if key ~= nil then M.check_key(key) end
  return doc
end

return M
