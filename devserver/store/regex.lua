-- A small backtracking matcher for the ECMAScript regular expressions JSON Schema `pattern`
-- uses: literals, ., [classes] with ranges and negation, \d \w \s (and upper-case negations),
-- escapes, groups (capturing or (?:...)), alternation, anchors ^ $, and the quantifiers
-- * + ? {n} {n,} {n,m} (greedy or lazy). Works on bytes. Unanchored search like RegExp.test.
local M = {}

local cache = setmetatable({}, { __mode = "k" })

local CLASS = {
  d = function(c) return c >= 48 and c <= 57 end,
  w = function(c)
    return (c >= 48 and c <= 57) or (c >= 65 and c <= 90) or (c >= 97 and c <= 122) or c == 95
  end,
  s = function(c) return c == 32 or (c >= 9 and c <= 13) end,
}
local ESCAPED = { n = 10, t = 9, r = 13, f = 12, v = 11, ["0"] = 0 }

local function class_test(ch)
  local lower = ch:lower()
  local f = CLASS[lower]
  if not f then return nil end
  if ch == lower then return f end
  return function(c) return not f(c) end
end

local function parser(p)
  local pos = 1
  local function peek() return p:sub(pos, pos) end
  local function fail(msg) error({ regex = msg .. " at " .. pos }, 0) end

  local parse_alt

  local function single(test)
    return function(s, i, k)
      local c = s:byte(i)
      if c and test(c) then return k(i + 1) end
      return false
    end
  end

  local function parse_class()
    -- after '['
    local negate = false
    if peek() == "^" then negate = true pos = pos + 1 end
    local tests = {}
    local first = true
    while true do
      local ch = peek()
      if ch == "" then fail("unterminated class") end
      if ch == "]" and not first then pos = pos + 1 break end
      first = false
      local lo
      if ch == "\\" then
        local e = p:sub(pos + 1, pos + 1)
        pos = pos + 2
        local t = class_test(e)
        if t then tests[#tests + 1] = t goto continue end
        lo = ESCAPED[e] or e:byte()
      else
        lo = ch:byte()
        pos = pos + 1
      end
      if peek() == "-" and p:sub(pos + 1, pos + 1) ~= "]" and p:sub(pos + 1, pos + 1) ~= "" then
        pos = pos + 1
        local hc = peek()
        local hi
        if hc == "\\" then
          local e = p:sub(pos + 1, pos + 1)
          hi = ESCAPED[e] or e:byte()
          pos = pos + 2
        else
          hi = hc:byte()
          pos = pos + 1
        end
        local a, b = lo, hi
        tests[#tests + 1] = function(c) return c >= a and c <= b end
      else
        local a = lo
        tests[#tests + 1] = function(c) return c == a end
      end
      ::continue::
    end
    return single(function(c)
      local hit = false
      for _, t in ipairs(tests) do if t(c) then hit = true break end end
      return hit ~= negate
    end)
  end

  local function parse_atom()
    local ch = peek()
    if ch == "(" then
      pos = pos + 1
      if p:sub(pos, pos + 1) == "?:" then pos = pos + 2 end
      local inner = parse_alt()
      if peek() ~= ")" then fail("missing )") end
      pos = pos + 1
      return inner
    elseif ch == "[" then
      pos = pos + 1
      return parse_class()
    elseif ch == "." then
      pos = pos + 1
      return single(function(c) return c ~= 10 end)
    elseif ch == "^" then
      pos = pos + 1
      return function(_, i, k) if i == 1 then return k(i) end return false end
    elseif ch == "$" then
      pos = pos + 1
      return function(s, i, k) if i == #s + 1 then return k(i) end return false end
    elseif ch == "\\" then
      local e = p:sub(pos + 1, pos + 1)
      if e == "" then fail("trailing backslash") end
      pos = pos + 2
      local t = class_test(e)
      if t then return single(t) end
      if e == "b" or e == "B" then
        local want = e == "b"
        return function(s, i, k)
          local w = CLASS.w
          local a = i > 1 and w(s:byte(i - 1)) or false
          local b = i <= #s and w(s:byte(i)) or false
          if (a ~= b) == want then return k(i) end
          return false
        end
      end
      local b = ESCAPED[e] or e:byte()
      return single(function(c) return c == b end)
    elseif ch == "" or ch == ")" or ch == "|" then
      return nil
    elseif ch == "*" or ch == "+" or ch == "?" then
      fail("nothing to repeat")
    else
      pos = pos + 1
      local b = ch:byte()
      return single(function(c) return c == b end)
    end
  end

  local function repeat_of(m, min, max, lazy)
    return function(s, i, k)
      local function try(count, at)
        if lazy then
          if count >= min then
            local r = k(at)
            if r then return r end
          end
          if max and count >= max then return false end
          return m(s, at, function(j)
            if j == at then return false end
            return try(count + 1, j)
          end)
        end
        if not max or count < max then
          local r = m(s, at, function(j)
            if j == at then return false end
            return try(count + 1, j)
          end)
          if r then return r end
        end
        if count >= min then return k(at) end
        return false
      end
      return try(0, i)
    end
  end

  local function parse_seq()
    local items = {}
    while true do
      local atom = parse_atom()
      if not atom then break end
      local q = peek()
      local min, max
      if q == "*" then min, max = 0, nil pos = pos + 1
      elseif q == "+" then min, max = 1, nil pos = pos + 1
      elseif q == "?" then min, max = 0, 1 pos = pos + 1
      elseif q == "{" then
        local a, b, c, stop = p:match("^{(%d+)(,?)(%d*)}()", pos)
        if a then
          min = tonumber(a)
          if b == "" then max = min elseif c == "" then max = nil else max = tonumber(c) end
          pos = stop
        end
      end
      if min then
        local lazy = false
        if peek() == "?" then lazy = true pos = pos + 1 end
        atom = repeat_of(atom, min, max, lazy)
      end
      items[#items + 1] = atom
    end
    local n = #items
    return function(s, i, k)
      local function step(idx, at)
        if idx > n then return k(at) end
        return items[idx](s, at, function(j) return step(idx + 1, j) end)
      end
      return step(1, i)
    end
  end

  function parse_alt()
    local alts = { parse_seq() }
    while peek() == "|" do
      pos = pos + 1
      alts[#alts + 1] = parse_seq()
    end
    if #alts == 1 then return alts[1] end
    return function(s, i, k)
      for _, a in ipairs(alts) do
        local r = a(s, i, k)
        if r then return r end
      end
      return false
    end
  end

  return function()
    local m = parse_alt()
    if pos <= #p then fail("unexpected " .. peek()) end
    return m
  end
end

--- Compiles a pattern; returns the matcher, or nil and a message when it is not supported.
function M.compile(pattern)
  local m = cache[pattern]
  if m then return m end
  local ok, res = pcall(parser(pattern))
  if not ok then return nil, type(res) == "table" and res.regex or tostring(res) end
  cache[pattern] = res
  return res
end

--- True when `pattern` matches somewhere in `s` (like JavaScript's RegExp.prototype.test).
function M.find(pattern, s)
  local m = M.compile(pattern)
  if not m then return false end
  local done = function(j) return j end
  for i = 1, #s + 1 do
    if m(s, i, done) then return true end
  end
  return false
end

return M
