-- The English ("Porter2") Snowball stemmer, written from the published algorithm description
-- (snowballstem.org/algorithms/english/stemmer.html). ArangoSearch's text analyzers stem with
-- Snowball, so TOKENS(..., "text_en") must produce these stems. Works on lower-case words;
-- bytes outside a-z count as non-vowels (suffixes are ASCII, so UTF-8 text stays intact).
local M = {}

local VOWEL = { a = true, e = true, i = true, o = true, u = true, y = true }
local DOUBLE = { bb = true, dd = true, ff = true, gg = true, mm = true, nn = true, pp = true, rr = true,
  tt = true }
local LI_ENDING = { c = true, d = true, e = true, g = true, h = true, k = true, m = true, n = true, r = true,
  t = true }

-- Words with a stem of their own, and words left alone.
local EXCEPTIONS = {
  skis = "ski", skies = "sky", dying = "die", lying = "lie", tying = "tie", idly = "idl", gently = "gentl",
  ugly = "ugli", early = "earli", only = "onli", singly = "singl",
  sky = "sky", news = "news", howe = "howe", atlas = "atlas", cosmos = "cosmos", bias = "bias",
  andes = "andes",
}
-- Left alone once step 1a is done.
local EXCEPTIONS_1A = { inning = true, outing = true, canning = true, herring = true, earring = true,
  proceed = true, exceed = true, succeed = true }

local function is_vowel(w, i)
  return VOWEL[w:sub(i, i)] == true
end

-- Start of the region after the first non-vowel following a vowel, searching from `from`.
local function region_after(w, from)
  local n = #w
  for i = from + 1, n do
    if not is_vowel(w, i) and is_vowel(w, i - 1) then return i + 1 end
  end
  return n + 1
end

local function regions(w)
  local r1
  for _, p in ipairs({ "gener", "commun", "arsen" }) do
    if w:sub(1, #p) == p then r1 = #p + 1 end
  end
  r1 = r1 or region_after(w, 1)
  local r2 = region_after(w, r1)
  return r1, r2
end

-- Does the word end (at index `e`) in a short syllable?
local function short_syllable_at(w, e)
  if e == 2 then
    return is_vowel(w, 1) and not is_vowel(w, 2)
  end
  if e < 3 then return false end
  local c = w:sub(e, e)
  return not is_vowel(w, e) and c ~= "w" and c ~= "x" and c ~= "Y" and is_vowel(w, e - 1)
    and not is_vowel(w, e - 2)
end

local function ends(w, s) return #w >= #s and w:sub(-#s) == s end

-- The longest of `suffixes` the word ends with, or nil.
local function longest(w, suffixes)
  local best
  for _, s in ipairs(suffixes) do
    if ends(w, s) and (not best or #s > #best) then best = s end
  end
  return best
end

local function has_vowel(w, last)
  for i = 1, last do if is_vowel(w, i) then return true end end
  return false
end

local STEP2 = {
  tional = "tion", enci = "ence", anci = "ance", abli = "able", entli = "ent", izer = "ize", ization = "ize",
  ational = "ate", ation = "ate", ator = "ate", alism = "al", aliti = "al", alli = "al", fulness = "ful",
  ousli = "ous", ousness = "ous", iveness = "ive", iviti = "ive", biliti = "ble", bli = "ble", ogi = "og",
  fulli = "ful", lessli = "less", li = "",
}
local STEP2_KEYS = {}
for k in pairs(STEP2) do STEP2_KEYS[#STEP2_KEYS + 1] = k end

local STEP3 = { tional = "tion", ational = "ate", alize = "al", icate = "ic", iciti = "ic", ical = "ic",
  ful = "", ness = "", ative = "" }
local STEP3_KEYS = {}
for k in pairs(STEP3) do STEP3_KEYS[#STEP3_KEYS + 1] = k end

local STEP4_KEYS = { "al", "ance", "ence", "er", "ic", "able", "ible", "ant", "ement", "ment", "ent", "ism",
  "ate", "iti", "ous", "ive", "ize", "ion" }

--- Stems one lower-case word.
function M.stem(word)
  if EXCEPTIONS[word] then return EXCEPTIONS[word] end
  if #word <= 2 then return word end
  local w = word
  if w:sub(1, 1) == "'" then w = w:sub(2) end
  -- y at the start or after a vowel is a consonant: mark it Y
  if w:sub(1, 1) == "y" then w = "Y" .. w:sub(2) end
  w = w:gsub("([aeiouy])y", "%1Y")
  local r1, r2 = regions(w)

  -- Step 0: possessives
  local s = longest(w, { "'s'", "'s", "'" })
  if s then w = w:sub(1, -#s - 1) end

  -- Step 1a
  if ends(w, "sses") then
    w = w:sub(1, -3)
  elseif ends(w, "ied") or ends(w, "ies") then
    if #w > 4 then w = w:sub(1, -3) else w = w:sub(1, -2) end
  elseif ends(w, "s") and not ends(w, "us") and not ends(w, "ss") then
    if has_vowel(w, #w - 2) then w = w:sub(1, -2) end
  end
  if EXCEPTIONS_1A[w] then return w end

  -- Step 1b
  s = longest(w, { "eedly", "eed", "ed", "edly", "ing", "ingly" })
  if s == "eed" or s == "eedly" then
    if #w - #s + 1 >= r1 then w = w:sub(1, -#s - 1) .. "ee" end
  elseif s then
    local stem = w:sub(1, -#s - 1)
    if has_vowel(stem, #stem) then
      w = stem
      if ends(w, "at") or ends(w, "bl") or ends(w, "iz") then
        w = w .. "e"
      elseif DOUBLE[w:sub(-2)] then
        w = w:sub(1, -2)
      elseif r1 > #w and short_syllable_at(w, #w) then
        w = w .. "e"
      end
    end
  end

  -- Step 1c
  local last = w:sub(-1)
  if (last == "y" or last == "Y") and #w > 2 and not is_vowel(w, #w - 1) then
    w = w:sub(1, -2) .. "i"
  end

  -- Step 2
  s = longest(w, STEP2_KEYS)
  if s and #w - #s + 1 >= r1 then
    local before = w:sub(-#s - 1, -#s - 1)
    if s == "ogi" then
      if before == "l" then w = w:sub(1, -#s - 1) .. STEP2[s] end
    elseif s == "li" then
      if LI_ENDING[before] then w = w:sub(1, -3) end
    else
      w = w:sub(1, -#s - 1) .. STEP2[s]
    end
  end

  -- Step 3
  s = longest(w, STEP3_KEYS)
  if s and #w - #s + 1 >= r1 then
    if s == "ative" then
      if #w - #s + 1 >= r2 then w = w:sub(1, -#s - 1) end
    else
      w = w:sub(1, -#s - 1) .. STEP3[s]
    end
  end

  -- Step 4
  s = longest(w, STEP4_KEYS)
  if s and #w - #s + 1 >= r2 then
    if s == "ion" then
      local before = w:sub(-4, -4)
      if before == "s" or before == "t" then w = w:sub(1, -4) end
    else
      w = w:sub(1, -#s - 1)
    end
  end

  -- Step 5
  last = w:sub(-1)
  if last == "e" then
    local at = #w
    if at >= r2 or (at >= r1 and not short_syllable_at(w, at - 1)) then w = w:sub(1, -2) end
  elseif last == "l" then
    if #w >= r2 and w:sub(-2, -2) == "l" then w = w:sub(1, -2) end
  end

  return (w:gsub("Y", "y"))
end

return M
