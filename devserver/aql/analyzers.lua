-- ArangoSearch analyzers as the AQL engine needs them (TOKENS): the built-in analyzer
-- definitions (identity and the text_<locale> analyzers: lower case, accents removed,
-- Snowball stemming, no stop words) and the text analyzer's pipeline:
--   word segmentation -> case conversion -> accent removal -> stemming -> stop words.
-- Stemmers exist for English and German; other locales are tokenized without stemming.
local V = require "arango.devserver.aql.values"
local U = require "arango.devserver.aql.functions.util"
local errors = require "arango.devserver.errors"

local M = {}

local STEMMERS = {
  en = "arango.devserver.aql.snowball.english",
  de = "arango.devserver.aql.snowball.german",
}

local TEXT_LOCALES = { "de", "en", "es", "fi", "fr", "it", "nl", "no", "pt", "ru", "sv", "zh" }

local function array(t) return setmetatable(t, V.array_mt) end

local function text_definition(locale)
  return {
    name = "text_" .. locale,
    type = "text",
    properties = { locale = locale, case = "lower", stopwords = array({}), accent = false, stemming = true },
    features = array({ "frequency", "norm", "position" }),
  }
end

local BUILTIN = {
  identity = { name = "identity", type = "identity", properties = {},
    features = array({ "frequency", "norm" }) },
}
for _, l in ipairs(TEXT_LOCALES) do BUILTIN["text_" .. l] = text_definition(l) end

local function copy(v)
  if type(v) ~= "table" then return v end
  local out = {}
  for k, x in pairs(v) do out[k] = copy(x) end
  return setmetatable(out, getmetatable(v))
end

--- The definitions of the built-in analyzers, sorted by name (as /_api/analyzer lists them).
function M.builtin()
  local out = {}
  for _, d in pairs(BUILTIN) do out[#out + 1] = copy(d) end
  table.sort(out, function(a, b) return a.name < b.name end)
  return array(out)
end

--- The definition of analyzer `name`: a built-in one, or one stored in the database's
-- _analyzers collection ("db::name" or a plain name). nil when unknown.
function M.definition(db, name)
  if BUILTIN[name] then return BUILTIN[name] end
  local plain = name:match("^[^:]*::(.+)$") or name
  if BUILTIN[plain] then return BUILTIN[plain] end
  local col = db and db:collection("_analyzers")
  local d = col and col:get(plain)
  if d then return { name = name, type = d.type, properties = d.properties or {} } end
  return nil
end

-- Accent removal: letters of Latin-1 and Latin Extended-A/B mapped to their base letter
-- (what decomposing and dropping combining marks gives).
local BASE = {
  A = "\u{C0}\u{C1}\u{C2}\u{C3}\u{C4}\u{C5}\u{100}\u{102}\u{104}" ..
    "\u{1CD}\u{1DE}\u{1E0}\u{1FA}\u{200}\u{202}\u{226}",
  C = "\u{C7}\u{106}\u{108}\u{10A}\u{10C}",
  D = "\u{10E}",
  E = "\u{C8}\u{C9}\u{CA}\u{CB}\u{112}\u{114}\u{116}\u{118}\u{11A}\u{204}\u{206}\u{228}",
  G = "\u{11C}\u{11E}\u{120}\u{122}\u{1E6}\u{1F4}",
  H = "\u{124}\u{21E}",
  I = "\u{CC}\u{CD}\u{CE}\u{CF}\u{128}\u{12A}\u{12C}\u{12E}\u{130}\u{1CF}\u{208}\u{20A}",
  J = "\u{134}",
  K = "\u{136}\u{1E8}",
  L = "\u{139}\u{13B}\u{13D}",
  N = "\u{D1}\u{143}\u{145}\u{147}\u{1F8}",
  O = "\u{D2}\u{D3}\u{D4}\u{D5}\u{D6}\u{14C}\u{14E}\u{150}\u{1A0}" ..
    "\u{1D1}\u{1EA}\u{1EC}\u{20C}\u{20E}\u{22A}\u{22C}\u{22E}\u{230}",
  R = "\u{154}\u{156}\u{158}\u{210}\u{212}",
  S = "\u{15A}\u{15C}\u{15E}\u{160}\u{218}",
  T = "\u{162}\u{164}\u{21A}",
  U = "\u{D9}\u{DA}\u{DB}\u{DC}\u{168}\u{16A}\u{16C}\u{16E}\u{170}" ..
    "\u{172}\u{1AF}\u{1D3}\u{1D5}\u{1D7}\u{1D9}\u{1DB}\u{214}\u{216}",
  W = "\u{174}",
  Y = "\u{DD}\u{176}\u{178}\u{232}",
  Z = "\u{179}\u{17B}\u{17D}",
  a = "\u{E0}\u{E1}\u{E2}\u{E3}\u{E4}\u{E5}\u{101}\u{103}\u{105}" ..
    "\u{1CE}\u{1DF}\u{1E1}\u{1FB}\u{201}\u{203}\u{227}",
  c = "\u{E7}\u{107}\u{109}\u{10B}\u{10D}",
  d = "\u{10F}",
  e = "\u{E8}\u{E9}\u{EA}\u{EB}\u{113}\u{115}\u{117}\u{119}\u{11B}\u{205}\u{207}\u{229}",
  g = "\u{11D}\u{11F}\u{121}\u{123}\u{1E7}\u{1F5}",
  h = "\u{125}\u{21F}",
  i = "\u{EC}\u{ED}\u{EE}\u{EF}\u{129}\u{12B}\u{12D}\u{12F}\u{1D0}\u{209}\u{20B}",
  j = "\u{135}\u{1F0}",
  k = "\u{137}\u{1E9}",
  l = "\u{13A}\u{13C}\u{13E}",
  n = "\u{F1}\u{144}\u{146}\u{148}\u{1F9}",
  o = "\u{F2}\u{F3}\u{F4}\u{F5}\u{F6}\u{14D}\u{14F}\u{151}\u{1A1}" ..
    "\u{1D2}\u{1EB}\u{1ED}\u{20D}\u{20F}\u{22B}\u{22D}\u{22F}\u{231}",
  r = "\u{155}\u{157}\u{159}\u{211}\u{213}",
  s = "\u{15B}\u{15D}\u{15F}\u{161}\u{219}",
  t = "\u{163}\u{165}\u{21B}",
  u = "\u{F9}\u{FA}\u{FB}\u{FC}\u{169}\u{16B}\u{16D}\u{16F}\u{171}" ..
    "\u{173}\u{1B0}\u{1D4}\u{1D6}\u{1D8}\u{1DA}\u{1DC}\u{215}\u{217}",
  w = "\u{175}",
  y = "\u{FD}\u{FF}\u{177}\u{233}",
  z = "\u{17A}\u{17C}\u{17E}",
}
local UNACCENT = {}
for base, chars in pairs(BASE) do
  for ch in chars:gmatch("[\194-\244][\128-\191]*") do UNACCENT[ch] = base end
end

local function remove_accents(s)
  return (s:gsub("[\195-\201][\128-\191]", UNACCENT))
end
M.remove_accents = remove_accents

-- Word segmentation in the spirit of Unicode word boundaries: letters and digits (and any
-- non-ASCII letter) form words, "_" joins, an apostrophe, "." or ":" inside letters and "." or ","
-- inside digits keep a word together; everything else separates.
local function is_word_char(ch)
  if #ch == 1 then return ch:find("^[%w_]$") ~= nil end
  local cp = utf8.codepoint(ch)
  if cp >= 0xA0 and cp <= 0xBF then return false end -- Latin-1 punctuation and signs
  if cp == 0xD7 or cp == 0xF7 then return false end
  if cp >= 0x2000 and cp <= 0x2BFF then return false end -- punctuation, symbols, arrows
  if cp >= 0x3000 and cp <= 0x303F then return false end -- CJK punctuation
  if cp >= 0xFF00 and cp <= 0xFF0F then return false end
  return true
end

local LETTER_JOINERS = { ["'"] = true, ["\u{2019}"] = true, ["."] = true, [":"] = true }
local DIGIT_JOINERS = { ["."] = true, [","] = true, [";"] = true, ["'"] = true, ["\u{2019}"] = true }

local function words(s)
  local chars = {}
  for ch in s:gmatch("[%z\1-\127\194-\244][\128-\191]*") do chars[#chars + 1] = ch end
  local out, cur = {}, {}
  local n = #chars
  local i = 1
  while i <= n do
    local ch = chars[i]
    if is_word_char(ch) then
      cur[#cur + 1] = ch
    else
      local prev, nxt = cur[#cur], chars[i + 1]
      local joined = false
      if prev and nxt and is_word_char(nxt) then
        local pd, nd = prev:find("^%d$") ~= nil, nxt:find("^%d$") ~= nil
        if pd and nd then joined = DIGIT_JOINERS[ch] == true
        elseif not pd and not nd then joined = LETTER_JOINERS[ch] == true end
      end
      if joined then
        cur[#cur + 1] = ch
      elseif #cur > 0 then
        out[#out + 1] = table.concat(cur)
        cur = {}
      end
    end
    i = i + 1
  end
  if #cur > 0 then out[#out + 1] = table.concat(cur) end
  return out
end
M.words = words

local stemmer_cache = {}
local function stemmer(locale)
  local lang = type(locale) == "string" and locale:lower():match("^(%a+)") or ""
  if stemmer_cache[lang] == nil then
    stemmer_cache[lang] = STEMMERS[lang] and require(STEMMERS[lang]) or false
  end
  return stemmer_cache[lang]
end

local function text_tokens(p, s)
  local out = array({})
  local case = p.case or "lower"
  local stop = {}
  if type(p.stopwords) == "table" then for _, w in ipairs(p.stopwords) do stop[w] = true end end
  local stem = p.stemming ~= false and stemmer(p.locale)
  for _, w in ipairs(words(s)) do
    if case == "lower" then w = U.lower(w) elseif case == "upper" then w = U.upper(w) end
    if p.accent ~= true then w = remove_accents(w) end
    if not stop[w] then
      if stem then w = stem.stem(w) end
      out[#out + 1] = w
    end
  end
  return out
end

--- Tokens of string `s` under analyzer definition `def`.
function M.tokens(def, s)
  local t = def.type
  if t == "identity" then return array({ s }) end
  local p = def.properties or {}
  if t == "text" then return text_tokens(p, s) end
  if t == "norm" then
    local w = s
    if p.case == "lower" then w = U.lower(w) elseif p.case == "upper" then w = U.upper(w) end
    if p.accent == false then w = remove_accents(w) end
    return array({ w })
  end
  if t == "delimiter" then
    local out, d = array({}), p.delimiter or ","
    if d == "" then return array({ s }) end
    local start = 1
    while true do
      local a, b = s:find(d, start, true)
      if not a then out[#out + 1] = s:sub(start); break end
      out[#out + 1] = s:sub(start, a - 1)
      start = b + 1
    end
    return out
  end
  errors.raise(400, 10, string.format("analyzer type '%s' is not supported by the devserver", tostring(t)))
end

return M
