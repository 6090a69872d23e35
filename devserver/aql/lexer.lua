-- AQL tokenizer: turns a query string into a flat token list with byte offsets, so the
-- parser can report ArangoDB-style "near '...' at position L:C" errors.
local errors = require "arango.devserver.errors"

local M = {}

-- Reserved words: these can never be identifiers unless quoted with backticks.
-- The words ArangoDB only treats as keywords in their context (KEEP, COUNT in WITH COUNT INTO,
-- OPTIONS, PRUNE, SEARCH, TO, and AT LEAST) are deliberately absent: they lex as identifiers so
-- `LET search = ...` or `doc.options` work, and the parser recognises them by position
-- (Parser:is_word). WINDOW is reserved since 3.8 and stays here.
local KEYWORDS = {}
for w in ([[FOR RETURN FILTER SORT LIMIT LET COLLECT WINDOW INTO WITH ALL ANY NONE
  AGGREGATE ASC DESC NOT AND OR IN LIKE NULL TRUE FALSE INSERT UPDATE REPLACE REMOVE UPSERT
  OUTBOUND INBOUND GRAPH SHORTEST_PATH K_SHORTEST_PATHS K_PATHS ALL_SHORTEST_PATHS
  DISTINCT]]):gmatch("%S+") do
  KEYWORDS[w] = true
end
M.KEYWORDS = KEYWORDS

-- How ArangoDB's grammar names tokens in "unexpected ..." messages.
local KEYWORD_DESC = {
  FOR = "FOR declaration", RETURN = "RETURN declaration", FILTER = "FILTER declaration",
  SORT = "SORT declaration", LIMIT = "LIMIT declaration",
  LET = "LET declaration", COLLECT = "COLLECT declaration", WINDOW = "WINDOW declaration",
  INTO = "INTO keyword", WITH = "WITH keyword", ALL = "all modifier", ANY = "any modifier",
  NONE = "none modifier", AGGREGATE = "AGGREGATE keyword", ASC = "ASC keyword", DESC = "DESC keyword",
  NOT = "not operator", AND = "and operator", OR = "or operator", IN = "IN keyword",
  LIKE = "like operator", NULL = "null", TRUE = "true", FALSE = "false",
  INSERT = "INSERT command", UPDATE = "UPDATE command", REPLACE = "REPLACE command",
  REMOVE = "REMOVE command", UPSERT = "UPSERT command", OUTBOUND = "outbound modifier",
  INBOUND = "inbound modifier", GRAPH = "graph modifier", SHORTEST_PATH = "SHORTEST_PATH keyword",
  K_SHORTEST_PATHS = "K_SHORTEST_PATHS keyword", K_PATHS = "K_PATHS keyword",
  ALL_SHORTEST_PATHS = "ALL_SHORTEST_PATHS keyword", DISTINCT = "DISTINCT modifier",
}

local OP_DESC = {
  ["=="] = "== operator", ["!="] = "!= operator", ["<"] = "< operator", ["<="] = "<= operator",
  [">"] = "> operator", [">="] = ">= operator", ["=~"] = "~= operator", ["!~"] = "~! operator",
  ["&&"] = "and operator", ["||"] = "or operator", ["!"] = "not operator",
  ["+"] = "+ operator", ["-"] = "- operator", ["*"] = "* operator", ["/"] = "/ operator",
  ["%"] = "% operator", ["="] = "assignment", ["?"] = "?", [":"] = ":", ["::"] = "::",
  [".."] = "..", ["."] = ".", [","] = ",", ["("] = "(", [")"] = ")", ["["] = "[", ["]"] = "]",
  ["{"] = "{", ["}"] = "}",
}

--- Human description of a token for parse errors.
function M.describe(tok)
  if tok.type == "eof" then return "end of query string" end
  if tok.type == "keyword" then return KEYWORD_DESC[tok.value] or (tok.value .. " keyword") end
  if tok.type == "ident" then return "identifier" end
  if tok.type == "string" then return "quoted string" end
  if tok.type == "number" then
    return math.type(tok.value) == "integer" and "integer number" or "number"
  end
  if tok.type == "bind" or tok.type == "bindcol" then return "bind parameter" end
  return OP_DESC[tok.value] or tok.value
end

--- Line and 1-based column of a byte offset.
function M.position(query, offset)
  local line, col = 1, 1
  local i = 1
  while i < offset do
    local c = query:byte(i)
    if c == 10 then line = line + 1; col = 1 else col = col + 1 end
    i = i + 1
  end
  return line, col
end

--- Raises a 1501 parse error pointing at byte `offset`.
function M.syntax_error(query, offset, what)
  local line, col = M.position(query, offset)
  -- ArangoDB quotes 32 bytes; never cut inside a UTF-8 sequence, the message must stay valid.
  local stop = offset + 31
  while stop >= offset and (query:byte(stop + 1) or 0) & 0xC0 == 0x80 do stop = stop - 1 end
  local near = query:sub(offset, stop)
  if #query > stop then near = near .. "..." end
  errors.raise(400, 1501, string.format("AQL: %s near '%s' at position %d:%d (while parsing)",
    what, near, line, col))
end

-- The value of a hex or binary literal: an integer while it fits int64, a double beyond
-- (tonumber(s, base) would wrap around instead).
local function radix_number(digits, base)
  local v = 0
  for k = 1, #digits do
    local d = tonumber(digits:sub(k, k), base)
    if math.type(v) == "integer" and v > (math.maxinteger - d) // base then v = v + 0.0 end
    v = v * base + d
  end
  return v
end

local ESCAPES = { n = "\n", t = "\t", r = "\r", b = "\b", f = "\f", ["\\"] = "\\", ["/"] = "/",
  ['"'] = '"', ["'"] = "'", ["`"] = "`" }

local function read_string(q, i, quote)
  -- i points just after the opening quote
  local parts = {}
  local n = #q
  while i <= n do
    local c = q:sub(i, i)
    if c == quote then return table.concat(parts), i + 1 end
    if c == "\\" then
      local e = q:sub(i + 1, i + 1)
      if e == "u" then
        local hex = q:sub(i + 2, i + 5)
        if not hex:match("^%x%x%x%x$") then return nil, i end
        local cp = tonumber(hex, 16)
        i = i + 6
        -- surrogate pairs
        if cp >= 0xD800 and cp <= 0xDBFF and q:sub(i, i + 1) == "\\u" then
          local lo = tonumber(q:sub(i + 2, i + 5), 16)
          if lo and lo >= 0xDC00 and lo <= 0xDFFF then
            cp = 0x10000 + (cp - 0xD800) * 0x400 + (lo - 0xDC00)
            i = i + 6
          end
        end
        parts[#parts + 1] = utf8.char(cp)
      elseif e == "" then
        return nil, i
      else
        parts[#parts + 1] = ESCAPES[e] or e
        i = i + 2
      end
    else
      local j = q:find("[\\" .. quote .. "]", i)
      if not j then return nil, i end
      parts[#parts + 1] = q:sub(i, j - 1)
      i = j
    end
  end
  return nil, i
end

local THREE = { ["[**"] = true }
local TWO = { ["=="] = true, ["!="] = true, ["<="] = true, [">="] = true, ["=~"] = true, ["!~"] = true,
  ["&&"] = true, ["||"] = true, ["::"] = true, [".."] = true, ["[*"] = true }
local ONE = "<>!+-*/%=?:.,()[]{}"

--- Tokenizes `q`; returns an array of {type, value, pos, stop} ending with an "eof" token.
-- type: keyword | ident | string | number | bind | bindcol | op | eof
function M.tokenize(q)
  local toks = {}
  local i, n = 1, #q
  while true do
    -- skip whitespace and comments
    while i <= n do
      local s, e = q:find("^%s+", i)
      if s then i = e + 1
      elseif q:sub(i, i + 1) == "//" then
        local nl = q:find("\n", i, true)
        i = nl and nl + 1 or n + 1
      elseif q:sub(i, i + 1) == "/*" then
        local close = q:find("*/", i + 2, true)
        if not close then M.syntax_error(q, i, "syntax error, unexpected unterminated multi-line comment") end
        i = close + 2
      else
        break
      end
    end
    if i > n then
      toks[#toks + 1] = { type = "eof", pos = n + 1, stop = n + 1 }
      return toks
    end
    local c = q:sub(i, i)
    local start = i
    if c:match("[%a_$]") then
      local s, e = q:find("^[%a_$][%w_]*", i)
      local word = q:sub(s, e)
      local up = word:upper()
      if KEYWORDS[up] then
        toks[#toks + 1] = { type = "keyword", value = up, raw = word, pos = start, stop = e }
      else
        toks[#toks + 1] = { type = "ident", value = word, pos = start, stop = e }
      end
      i = e + 1
    elseif c == "`" or q:sub(i, i + 1) == "\u{B4}" then
      -- names quote with backticks or forward ticks (U+00B4, two bytes in UTF-8)
      c = c == "`" and c or "\u{B4}"
      local close_ch = c
      local body_start = i + #c
      local j = q:find(close_ch, body_start, true)
      if not j then M.syntax_error(q, start, "syntax error, unexpected $undefined") end
      local name = q:sub(body_start, j - 1):gsub("\\(.)", "%1")
      toks[#toks + 1] = { type = "ident", value = name, quoted = true, pos = start, stop = j + #close_ch - 1 }
      i = j + #close_ch
    elseif c == '"' or c == "'" then
      local s, ni = read_string(q, i + 1, c)
      if not s then M.syntax_error(q, start, "syntax error, unexpected unterminated string literal") end
      toks[#toks + 1] = { type = "string", value = s, pos = start, stop = ni - 1 }
      i = ni
    elseif c:match("%d") or (c == "." and q:sub(i + 1, i + 1):match("%d") and
        not (toks[#toks] and toks[#toks].type ~= "op" and toks[#toks].type ~= "keyword")) then
      local text, e
      local hs, he = q:find("^0[xX]%x+", i)
      local bs, be = q:find("^0[bB][01]+", i)
      if hs then
        text = q:sub(hs, he); e = he
        toks[#toks + 1] = { type = "number", value = radix_number(text:sub(3), 16), pos = start, stop = e }
      elseif bs then
        text = q:sub(bs, be); e = be
        toks[#toks + 1] = { type = "number", value = radix_number(text:sub(3), 2), pos = start, stop = e }
      else
        local s1, e1 = q:find("^%d*", i)
        e = e1
        local is_float = false
        -- a fraction only when "." is followed by a digit (so 1..5 stays a range)
        if q:sub(e + 1, e + 1) == "." and q:sub(e + 2, e + 2):match("%d") then
          local _, e2 = q:find("^%.%d+", e + 1)
          e = e2; is_float = true
        end
        local _, e3 = q:find("^[eE][%+%-]?%d+", e + 1)
        if e3 then e = e3; is_float = true end
        text = q:sub(s1, e)
        local v
        if is_float then
          v = tonumber(text)
        else
          -- Lua reads a decimal integer numeral that overflows int64 as a float, as AQL does
          v = tonumber(text)
        end
        toks[#toks + 1] = { type = "number", value = v, pos = start, stop = e }
      end
      i = e + 1
    elseif c == "@" then
      local s, e, name = q:find("^@@([%w_]+)", i)
      if s then
        toks[#toks + 1] = { type = "bindcol", value = name, pos = start, stop = e }
      else
        s, e, name = q:find("^@([%w_]+)", i)
        if not s then M.syntax_error(q, start, "syntax error, unexpected $undefined") end
        toks[#toks + 1] = { type = "bind", value = name, pos = start, stop = e }
      end
      i = e + 1
    else
      local three, two = q:sub(i, i + 2), q:sub(i, i + 1)
      if THREE[three] then
        toks[#toks + 1] = { type = "op", value = three, pos = start, stop = i + 2 }
        i = i + 3
      elseif TWO[two] then
        toks[#toks + 1] = { type = "op", value = two, pos = start, stop = i + 1 }
        i = i + 2
      elseif ONE:find(c, 1, true) then
        toks[#toks + 1] = { type = "op", value = c, pos = start, stop = i }
        i = i + 1
      else
        M.syntax_error(q, start, "syntax error, unexpected $undefined")
      end
    end
  end
end

return M
