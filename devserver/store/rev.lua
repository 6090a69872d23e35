-- Document revisions (_rev) the way ArangoDB makes them: a hybrid logical clock value
-- (milliseconds since the epoch shifted left by 20 bits, plus a counter in the low bits) that
-- strictly increases within the process, written in ArangoDB's own base64 variant
-- ("_hW3x4I----"; alphabet "-_0-9A-Za-z", most significant digit first).
local M = {}

local ALPHABET = "-_0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
local DIGIT = {}
local VALUE = {}
for i = 1, #ALPHABET do
  local c = ALPHABET:sub(i, i)
  DIGIT[i - 1] = c
  VALUE[c:byte()] = i - 1
end

local last = 0
local clock = function() return math.floor(os.time() * 1000) end
do
  -- luv's clock gives milliseconds; plain os.time only seconds (the counter bits keep order).
  local ok, uv = pcall(require, "luv")
  if ok and uv.gettimeofday then
    clock = function()
      local s, us = uv.gettimeofday()
      return s * 1000 + us // 1000
    end
  end
end

--- The next clock value: strictly greater than every value handed out or `witness`ed before.
function M.next_value()
  local v = clock() << 20
  if v <= last then v = last + 1 end
  last = v
  return v
end

--- Makes later values greater than `v` (used when replaying stored revisions at startup).
function M.witness(v)
  if type(v) == "number" and v > last then last = v end
end

--- Encodes a non-negative 64-bit integer (a clock value) as a revision string.
function M.encode(v)
  if v == 0 then return "-" end
  local out, n = {}, 0
  while v ~= 0 do
    n = n + 1
    out[n] = DIGIT[v & 63]
    v = v >> 6 -- logical shift: a value with the top bit set still terminates
  end
  -- reverse
  for i = 1, n // 2 do out[i], out[n - i + 1] = out[n - i + 1], out[i] end
  return table.concat(out)
end

--- Decodes a revision string; nil when it is not one (wrong alphabet or longer than 11 chars).
function M.decode(s)
  if type(s) ~= "string" or #s == 0 or #s > 11 then return nil end
  local v = 0
  for i = 1, #s do
    local d = VALUE[s:byte(i)]
    if not d then return nil end
    v = (v << 6) | d
  end
  return v
end

--- A fresh revision string.
function M.next()
  return M.encode(M.next_value())
end

return M
