-- A small backtracking regular expression engine for AQL's REGEX_* functions and the =~ operator.
-- Works on Unicode codepoints. Supports the ICU/ECMAScript subset people use: literals, ".",
-- classes [...] with ranges and negation, \d \w \s \D \W \S \b \B, anchors ^ $, groups (capturing,
-- (?:...), (?=...), (?!...)), alternation, greedy and lazy quantifiers * + ? {n} {n,} {n,m},
-- backreferences \1..\9 and case-insensitive matching. The default dialect is ICU's (AQL);
-- `{ ecmascript = true }` gives JSON Schema's (ECMA-262): `$` only at the very end, \w and \b
-- ASCII-only, and ICU-only syntax (named groups, possessive quantifiers) rejected.
local M = {}

local function fold(cp)
  if cp >= 65 and cp <= 90 then return cp + 32 end
  if cp >= 0xC0 and cp <= 0xDE and cp ~= 0xD7 then return cp + 32 end
  if cp >= 0x391 and cp <= 0x3A9 then return cp + 32 end
  if cp >= 0x410 and cp <= 0x42F then return cp + 32 end
  return cp
end

local function is_digit(cp) return cp >= 48 and cp <= 57 end
local function is_word(cp)
  return (cp >= 48 and cp <= 57) or (cp >= 65 and cp <= 90) or (cp >= 97 and cp <= 122) or cp == 95
    or (cp >= 0xC0 and cp ~= 0xD7 and cp ~= 0xF7 and cp < 0x2000)
end
local function is_space(cp)
  return cp == 32 or (cp >= 9 and cp <= 13) or cp == 0xA0 or cp == 0x2028 or cp == 0x2029
    or cp == 0xFEFF or cp == 0x3000 or (cp >= 0x2000 and cp <= 0x200A)
end
local function is_ascii_word(cp)
  return (cp >= 48 and cp <= 57) or (cp >= 65 and cp <= 90) or (cp >= 97 and cp <= 122) or cp == 95
end
local classes = {
  d = is_digit, w = is_word, s = is_space,
  D = function(cp) return not is_digit(cp) end,
  W = function(cp) return not is_word(cp) end,
  S = function(cp) return not is_space(cp) end,
}
-- ECMAScript's \w is ASCII; \d and \s mean the same in both dialects.
local ecma_classes = setmetatable({
  w = is_ascii_word,
  W = function(cp) return not is_ascii_word(cp) end,
}, { __index = classes })

-- codepoints of a string (bytes for invalid UTF-8): what patterns and subjects are matched as
local to_cps = require("arango.devserver.aql.functions.util").codepoints
M.to_cps = to_cps

-- Parser -------------------------------------------------------------------------------------
local Parser = {}
Parser.__index = Parser

local function perr(msg) error({ regex_error = msg }, 0) end

function Parser:peek(o) return self.p[self.i + (o or 0)] end
function Parser:next()
  local c = self.p[self.i]
  -- running past the end is always a truncated construct (`\c`, `[[:alpha`, `(?<n`):
  -- an invalid regex, reported like ArangoDB does, never a Lua error
  if c == nil then perr("unexpected end of pattern") end
  self.i = self.i + 1
  return c
end

local simple_escapes = { n = 10, r = 13, t = 9, f = 12, v = 11, ["0"] = 0, a = 7, e = 27 }

function Parser:hex(n)
  local v = 0
  for _ = 1, n do
    local c = self:next()
    if not c then perr("bad escape") end
    local d = tonumber(utf8.char(c), 16)
    if not d then perr("bad escape") end
    v = v * 16 + d
  end
  return v
end

-- Returns either a codepoint or a class function.
function Parser:escape_atom(in_set)
  local c = self:next()
  if not c then perr("trailing backslash") end
  local ch = utf8.char(c)
  local dialect_classes = self.ecma and ecma_classes or classes
  if dialect_classes[ch] then return nil, dialect_classes[ch] end
  if simple_escapes[ch] then return simple_escapes[ch] end
  if ch == "x" then
    if self:peek() == 123 then -- \x{...}
      self:next()
      local v = 0
      while self:peek() and self:peek() ~= 125 do
        v = v * 16 + (tonumber(utf8.char(self:next()), 16) or perr("bad escape"))
      end
      self:next()
      return v
    end
    return self:hex(2)
  end
  if ch == "u" then return self:hex(4) end
  if ch == "c" then return self:next() % 32 end
  if not in_set and c >= 49 and c <= 57 then return nil, nil, c - 48 end -- backreference
  if not in_set and (ch == "b" or ch == "B") then return nil, nil, nil, ch end
  if in_set and ch == "b" then return 8 end
  return c
end

function Parser:parse_set()
  local node = { t = "set", items = {}, neg = false }
  if self:peek() == 94 then self:next(); node.neg = true end
  local first = true
  while true do
    local c = self:next()
    if not c then perr("missing ]") end
    if c == 93 and not first then break end
    first = false
    local lo, cls
    if c == 92 then
      lo, cls = self:escape_atom(true)
    elseif c == 91 and self:peek() == 58 then -- [:alpha:] style
      local name = {}
      self:next()
      while self:peek() and self:peek() ~= 58 do name[#name + 1] = utf8.char(self:next()) end
      self:next(); self:next()
      local n = table.concat(name)
      local map = {
        alpha = function(cp) return is_word(cp) and not is_digit(cp) and cp ~= 95 end,
        digit = is_digit, alnum = function(cp) return is_word(cp) and cp ~= 95 end,
        space = is_space, upper = function(cp) return cp >= 65 and cp <= 90 end,
        lower = function(cp) return cp >= 97 and cp <= 122 end,
        punct = function(cp) return cp < 128 and not is_word(cp) and not is_space(cp) and cp > 32 end,
        xdigit = function(cp)
          return is_digit(cp) or (cp >= 65 and cp <= 70) or (cp >= 97 and cp <= 102)
        end,
      }
      cls = map[n] or perr("bad class")
    else
      lo = c
    end
    if cls then
      node.items[#node.items + 1] = cls
    elseif self:peek() == 45 and self:peek(1) and self:peek(1) ~= 93 then
      self:next()
      local hc = self:next()
      local hi = hc
      if hc == 92 then
        local hcls
        hi, hcls = self:escape_atom(true)
        if hcls then perr("bad range") end
      end
      if hi < lo then perr("bad range") end
      node.items[#node.items + 1] = { lo, hi }
    else
      node.items[#node.items + 1] = { lo, lo }
    end
  end
  return node
end

function Parser:parse_atom()
  local c = self:next()
  if c == 40 then -- (
    local kind = "cap"
    if self:peek() == 63 then -- ?
      self:next()
      local k = self:next()
      if k == 58 then kind = "nocap"
      elseif k == 61 then kind = "ahead"
      elseif k == 33 then kind = "nahead"
      elseif k == 60 and (self:peek() == 61 or self:peek() == 33) then perr("lookbehind unsupported")
      elseif k == 60 or k == 80 then -- named group (?<name>...) / (?P<name>...)
        if self.ecma then perr("named groups are not ECMAScript") end
        if k == 80 then self:next() end
        while self:peek() and self:peek() ~= 62 do self:next() end
        self:next()
      elseif k == 105 and self:peek() == 41 then -- (?i)
        self:next()
        self.icase = true
        return { t = "empty" }
      else perr("bad group") end
    end
    local idx
    if kind == "cap" then
      self.ngroups = self.ngroups + 1
      idx = self.ngroups
    end
    local alt = self:parse_alt()
    if self:next() ~= 41 then perr("missing )") end
    return { t = "group", kind = kind, idx = idx, alt = alt }
  elseif c == 91 then
    return self:parse_set()
  elseif c == 46 then
    return { t = "any" }
  elseif c == 94 then
    return { t = "bol" }
  elseif c == 36 then
    return { t = "eol", strict = self.ecma }
  elseif c == 92 then
    local cp, cls, backref, wb = self:escape_atom(false)
    if cls then return { t = "set", items = { cls }, neg = false } end
    if backref then return { t = "backref", n = backref } end
    if wb then return { t = "wordb", neg = wb == "B", ascii = self.ecma } end
    return { t = "char", cp = cp }
  elseif c == 42 or c == 43 or c == 63 then
    perr("nothing to repeat")
  end
  return { t = "char", cp = c }
end

function Parser:parse_quant(atom)
  local c = self:peek()
  local min, max
  if c == 42 then min, max = 0, math.huge
  elseif c == 43 then min, max = 1, math.huge
  elseif c == 63 then min, max = 0, 1
  elseif c == 123 then
    -- {n}, {n,}, {n,m}; otherwise a literal brace
    local j = self.i + 1
    local digits = {}
    while self.p[j] and is_digit(self.p[j]) do digits[#digits + 1] = utf8.char(self.p[j]); j = j + 1 end
    if #digits == 0 then return atom end
    min = tonumber(table.concat(digits))
    if self.p[j] == 125 then
      max = min
    elseif self.p[j] == 44 then
      j = j + 1
      local d2 = {}
      while self.p[j] and is_digit(self.p[j]) do d2[#d2 + 1] = utf8.char(self.p[j]); j = j + 1 end
      if self.p[j] ~= 125 then return atom end
      max = #d2 > 0 and tonumber(table.concat(d2)) or math.huge
    else
      return atom
    end
    self.i = j
  else
    return atom
  end
  self:next()
  local lazy, possessive = false, false
  if self:peek() == 63 then self:next(); lazy = true
  elseif self:peek() == 43 then
    if self.ecma then perr("possessive quantifiers are not ECMAScript") end
    self:next(); possessive = true
  end
  if atom.t == "bol" or atom.t == "eol" then return atom end
  local rep = { t = "rep", node = atom, min = min, max = max, lazy = lazy, possessive = possessive }
  return self:parse_quant(rep)
end

function Parser:parse_seq()
  local seq = {}
  while true do
    local c = self:peek()
    if c == nil or c == 124 or c == 41 then break end
    seq[#seq + 1] = self:parse_quant(self:parse_atom())
  end
  return seq
end

function Parser:parse_alt()
  local branches = { self:parse_seq() }
  while self:peek() == 124 do
    self:next()
    branches[#branches + 1] = self:parse_seq()
  end
  return branches
end

-- Matcher (continuation passing over the node tree) -------------------------------------------
local function compile_matcher(root, ngroups, icase)
  local s, n, caps -- subject codepoints, length, capture positions

  local match_seq, match_alt

  local function single(node, i)
    -- one-codepoint nodes: returns true when s[i] matches
    local c = s[i]
    if not c then return false end
    local t = node.t
    if t == "char" then
      if icase then return fold(c) == fold(node.cp) end
      return c == node.cp
    elseif t == "any" then
      return c ~= 10 and c ~= 13
    elseif t == "set" then
      local hit = false
      for _, it in ipairs(node.items) do
        if type(it) == "function" then
          if it(c) then hit = true; break end
        else
          if c >= it[1] and c <= it[2] then hit = true; break end
          if icase then
            local f = fold(c)
            local lo, hi = it[1], it[2]
            if f >= fold(lo) and f <= fold(hi) and (f ~= c or true) then
              hit = true
              break
            end
            -- upper-case form of a lower-case subject char
            if c >= 97 and c <= 122 and c - 32 >= lo and c - 32 <= hi then hit = true; break end
          end
        end
      end
      if node.neg then return not hit end
      return hit
    end
    return false
  end

  local function is_single(node)
    return node.t == "char" or node.t == "any" or node.t == "set"
  end

  local function match_node(node, i, k)
    local t = node.t
    if t == "char" or t == "any" or t == "set" then
      if single(node, i) then return k(i + 1) end
      return false
    elseif t == "empty" then
      return k(i)
    elseif t == "bol" then
      if i == 1 then return k(i) end
      return false
    elseif t == "eol" then
      -- ICU's $ also matches before a final line break; ECMAScript's only at the end
      if i == n + 1 or (not node.strict and i == n and s[n] == 10) then return k(i) end
      return false
    elseif t == "wordb" then
      local word = node.ascii and is_ascii_word or is_word
      local a = i > 1 and word(s[i - 1])
      local b = i <= n and word(s[i])
      local at = (a and not b) or (b and not a)
      if at ~= node.neg then return k(i) end
      return false
    elseif t == "backref" then
      local cs, ce = caps[node.n * 2 - 1], caps[node.n * 2]
      if not cs or not ce then return k(i) end
      local len = ce - cs
      for j = 0, len - 1 do
        local x, y = s[cs + j], s[i + j]
        if not y then return false end
        if icase then x, y = fold(x), fold(y) end
        if x ~= y then return false end
      end
      return k(i + len)
    elseif t == "group" then
      if node.kind == "ahead" or node.kind == "nahead" then
        local saved = table.move(caps, 1, ngroups * 2, 1, {})
        local ok = match_alt(node.alt, i, function() return true end)
        if node.kind == "nahead" then
          table.move(saved, 1, ngroups * 2, 1, caps)
          if ok then return false end
          return k(i)
        end
        if not ok then return false end
        return k(i)
      end
      local idx = node.idx
      if not idx then return match_alt(node.alt, i, k) end
      local os, oe = caps[idx * 2 - 1], caps[idx * 2]
      local r = match_alt(node.alt, i, function(j)
        local ps, pe = caps[idx * 2 - 1], caps[idx * 2]
        caps[idx * 2 - 1], caps[idx * 2] = i, j
        if k(j) then return true end
        caps[idx * 2 - 1], caps[idx * 2] = ps, pe
        return false
      end)
      if not r then caps[idx * 2 - 1], caps[idx * 2] = os, oe end
      return r
    elseif t == "rep" then
      local sub, min, max = node.node, node.min, node.max
      if is_single(sub) then
        -- fast path: count how many single matches are possible
        local j = i
        local limit = max
        while (j - i) < limit and single(sub, j) do j = j + 1 end
        local count = j - i
        if count < min then return false end
        if node.possessive then return k(i + count) end
        if node.lazy then
          for c = min, count do
            if k(i + c) then return true end
          end
          return false
        end
        for c = count, min, -1 do
          if k(i + c) then return true end
        end
        return false
      end
      local function rep(count, pos)
        if node.lazy then
          if count >= min and k(pos) then return true end
          if count < max then
            return match_node(sub, pos, function(j)
              if j == pos and count >= min then return false end -- empty loop guard
              return rep(count + 1, j)
            end)
          end
          return false
        end
        if count < max then
          local r = match_node(sub, pos, function(j)
            if j == pos then return false end -- no progress: stop looping
            return rep(count + 1, j)
          end)
          if r then return true end
        end
        if count >= min then return k(pos) end
        -- an optional empty iteration may still satisfy min
        if count < min then
          return match_node(sub, pos, function(j)
            if j ~= pos then return false end
            return rep(min, j)
          end)
        end
        return false
      end
      return rep(0, i)
    end
    error("bad regex node " .. tostring(t))
  end

  function match_seq(seq, idx, i, k)
    local node = seq[idx]
    if not node then return k(i) end
    return match_node(node, i, function(j) return match_seq(seq, idx + 1, j, k) end)
  end

  function match_alt(branches, i, k)
    for _, seq in ipairs(branches) do
      if match_seq(seq, 1, i, k) then return true end
    end
    return false
  end

  --- Finds the first match at or after codepoint index start: returns s, e (exclusive), caps.
  return function(subject, start)
    s, n = subject, #subject
    for i = start or 1, n + 1 do
      caps = {}
      local e
      if match_alt(root, i, function(j) e = j; return true end) then
        local out = {}
        for g = 1, ngroups do out[g * 2 - 1], out[g * 2] = caps[g * 2 - 1], caps[g * 2] end
        return i, e, out
      end
    end
    return nil
  end
end

local cache, cache_size = {}, 0

--- Compiles pattern (a UTF-8 string); returns a regex object or nil, message.
-- opts: `{ ecmascript = true }` for ECMA-262 semantics (JSON Schema's `pattern`).
function M.compile(pattern, icase, opts)
  local ecma = opts and opts.ecmascript or false
  local key = (icase and "i" or "c") .. (ecma and "e:" or "u:") .. pattern
  local re = cache[key]
  if re then return re end
  local p = setmetatable({ p = to_cps(pattern), i = 1, ngroups = 0, icase = icase, ecma = ecma }, Parser)
  local ok, alt = pcall(p.parse_alt, p)
  if not ok then
    if type(alt) == "table" then return nil, alt.regex_error end
    error(alt, 0)
  end
  if p.i <= #p.p then return nil, "unbalanced )" end
  re = { ngroups = p.ngroups, exec = compile_matcher(alt, p.ngroups, p.icase) }
  if cache_size > 500 then cache, cache_size = {}, 0 end
  cache[key] = re
  cache_size = cache_size + 1
  return re
end

local function from_cps(cps, i, j)
  local out = {}
  for x = i, j - 1 do out[#out + 1] = utf8.char(cps[x]) end
  return table.concat(out)
end
M.from_cps = from_cps

function M.test(re, s)
  return re.exec(to_cps(s), 1) ~= nil
end

--- First match: array of the whole match and its groups (nil for unmatched groups), or nil.
function M.match(re, s)
  local cps = to_cps(s)
  local ms, me, caps = re.exec(cps, 1)
  if not ms then return nil end
  local out = { from_cps(cps, ms, me) }
  for g = 1, re.ngroups do
    local a, b = caps[g * 2 - 1], caps[g * 2]
    out[g + 1] = a and from_cps(cps, a, b) or false
  end
  return out
end

--- Iterates over matches: calls fn(ms, me, caps, cps) for each non-overlapping match.
function M.each(re, s, fn, limit)
  local cps = to_cps(s)
  local pos, count = 1, 0
  while pos <= #cps + 1 do
    local ms, me, caps = re.exec(cps, pos)
    if not ms then break end
    count = count + 1
    if fn(ms, me, caps, cps) == false then break end
    if limit and count >= limit then break end
    pos = me > ms and me or me + 1
    if me == ms and ms > #cps then break end
  end
  return cps
end

return M
