-- Document keys: validation of user keys (errorNum 1221) and the four key generators of
-- ArangoDB (traditional, autoincrement, uuid, padded) with the state they persist (lastValue).
local errors = require "arango.devserver.errors"

local M = {}

M.MAX_KEY_LENGTH = 254
M.TYPES = { "upgrade", "padded", "uuid", "autoincrement", "traditional" }

-- Characters ArangoDB allows in a _key besides letters and digits.
local KEY_PATTERN = "^[%w_%-:%.@%(%)%+,=;%$!%*'%%]+$"

--- True when `key` is a string ArangoDB accepts as a document key.
function M.valid(key)
  return type(key) == "string" and #key > 0 and #key <= M.MAX_KEY_LENGTH
    and key:find(KEY_PATTERN) ~= nil
end

local function bad_key() errors.raise(400, 1221) end

local generator_mt = {}
generator_mt.__index = generator_mt

local function numeric(key)
  if key:find("^%d+$") and #key <= 19 then return math.tointeger(tonumber(key)) end
  return nil
end

local function uuid()
  local b = {}
  for i = 1, 16 do b[i] = math.random(0, 255) end
  b[7] = (b[7] & 0x0f) | 0x40
  b[9] = (b[9] & 0x3f) | 0x80
  return string.format("%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
    table.unpack(b))
end

--- Validates a `keyOptions` table and builds a generator. `tick` is the server's tick
-- function (traditional and padded keys come from it, like ArangoDB's server ticks).
-- Raises 400/1232 (unknown type) or 400/10 (bad increment/offset).
function M.new(opts, tick)
  opts = opts or {}
  if type(opts) ~= "table" then errors.raise(400, 1232) end
  local kind = opts.type
  if kind == nil or kind == "" then kind = "traditional" end
  if kind ~= "traditional" and kind ~= "autoincrement" and kind ~= "uuid" and kind ~= "padded" then
    errors.raise(400, 1232)
  end
  local g = setmetatable({ type = kind, tick = tick, last = 0 }, generator_mt)
  g.allow_user_keys = opts.allowUserKeys ~= false
  if kind == "autoincrement" then
    local inc, off = opts.increment or 1, opts.offset or 0
    if math.type(inc) ~= "integer" and not (type(inc) == "number" and inc == math.floor(inc)) then
      errors.raise(400, 10, "increment value must be a number")
    end
    if inc < 1 or inc >= 1 << 16 then
      errors.raise(400, 10, "increment value must be greater than zero and smaller than 65536")
    end
    if type(off) ~= "number" or off < 0 or off ~= math.floor(off) then
      errors.raise(400, 10, "offset value must be zero or greater")
    end
    g.increment, g.offset = math.tointeger(inc), math.tointeger(off)
  end
  if opts.lastValue ~= nil then g:restore(opts.lastValue) end
  return g
end

--- The keyOptions object ArangoDB reports for this generator.
function generator_mt:options()
  local o = { type = self.type, allowUserKeys = self.allow_user_keys }
  if self.type == "autoincrement" then
    o.increment, o.offset = self.increment, self.offset
  end
  if self.type ~= "uuid" then o.lastValue = self.last end
  return o
end

--- Puts back persisted state (the lastValue reported by `options`).
function generator_mt:restore(last)
  if math.type(last) == "integer" and last > self.last then self.last = last end
  if math.type(last) == "float" and last > self.last then self.last = math.floor(last) end
end

--- A new key for a document that brings none. Does not commit: call `track` with it once
-- the write succeeds (so a failed write does not move the generator... except for ticks).
function generator_mt:generate()
  local kind = self.type
  if kind == "uuid" then return uuid() end
  if kind == "autoincrement" then
    local v
    if self.last < self.offset then v = self.offset
    else v = self.last + self.increment - ((self.last - self.offset) % self.increment) end
    if v == 0 then v = self.increment end
    return tostring(v)
  end
  local v = self.tick()
  if v <= self.last then v = self.last + 1 end
  if kind == "padded" then return string.format("%016x", v) end
  return tostring(v)
end

--- Checks a key the user supplied; raises 1221 (bad key) or 1222 (user keys not allowed).
function generator_mt:check_user_key(key)
  if not M.valid(key) then bad_key() end
  if not self.allow_user_keys then errors.raise(400, 1222) end
  if self.type == "autoincrement" and not numeric(key) then bad_key() end
end

--- Records that `key` is now used, so generated keys stay above numeric ones.
function generator_mt:track(key)
  local kind = self.type
  local v
  if kind == "traditional" or kind == "autoincrement" then
    v = numeric(key)
  elseif kind == "padded" and #key == 16 and key:find("^[0-9a-f]+$") then
    v = math.tointeger(tonumber(key, 16))
  end
  if v and v > self.last then self.last = v end
end

return M
