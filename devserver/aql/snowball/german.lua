-- The German Snowball stemmer, written from the published algorithm description
-- (snowballstem.org/algorithms/german/stemmer.html), as used by ArangoSearch's text_de
-- analyzer. Works on lower-case UTF-8 words, letter by letter (ä, ö, ü and ß are letters).
local M = {}

local VOWEL = { a = true, e = true, i = true, o = true, u = true, y = true,
  ["\u{E4}"] = true, ["\u{F6}"] = true, ["\u{FC}"] = true }
local S_ENDING = { b = true, d = true, f = true, g = true, h = true, k = true, l = true, m = true, n = true,
  r = true, t = true }
local ST_ENDING = { b = true, d = true, f = true, g = true, h = true, k = true, l = true, m = true, n = true,
  t = true }
local UNUMLAUT = { ["\u{E4}"] = "a", ["\u{F6}"] = "o", ["\u{FC}"] = "u", U = "u", Y = "y" }

local function letters(word)
  local out = {}
  for ch in word:gmatch("[%z\1-\127\194-\244][\128-\191]*") do
    if ch == "\u{DF}" then out[#out + 1] = "s"; out[#out + 1] = "s" else out[#out + 1] = ch end
  end
  return out
end

local function region_after(w, from)
  for i = from + 1, #w do
    if not VOWEL[w[i]] and VOWEL[w[i - 1]] then return i + 1 end
  end
  return #w + 1
end

-- Does w end with the letters of suffix s (a plain ASCII string)?
local function ends(w, s)
  local n = #w
  if #s > n then return false end
  for i = 1, #s do
    if w[n - #s + i] ~= s:sub(i, i) then return false end
  end
  return true
end

local function longest(w, suffixes)
  local best
  for _, s in ipairs(suffixes) do
    if ends(w, s) and (not best or #s > #best) then best = s end
  end
  return best
end

local function cut(w, k)
  for _ = 1, k do w[#w] = nil end
end

-- Start index of a suffix of length k.
local function at(w, k) return #w - k + 1 end

local STEP1 = { "em", "ern", "er", "e", "en", "es", "s" }
local STEP2 = { "en", "er", "est", "st" }
local STEP3 = { "end", "ung", "ig", "ik", "isch", "lich", "heit", "keit" }

--- Stems one lower-case word.
function M.stem(word)
  local w = letters(word)
  -- u and y between vowels are consonants
  for i = 2, #w - 1 do
    if (w[i] == "u" or w[i] == "y") and VOWEL[w[i - 1]] and VOWEL[w[i + 1]] then w[i] = w[i]:upper() end
  end
  local r1 = region_after(w, 1)
  local r2 = region_after(w, r1)
  if r1 < 4 then r1 = 4 end -- the region before R1 holds at least three letters

  -- Step 1
  local s = longest(w, STEP1)
  if s and at(w, #s) >= r1 then
    if s == "s" then
      if S_ENDING[w[#w - 1]] then cut(w, 1) end
    else
      cut(w, #s)
      if (s == "e" or s == "en" or s == "es") and ends(w, "niss") then cut(w, 1) end
    end
  end

  -- Step 2
  s = longest(w, STEP2)
  if s and at(w, #s) >= r1 then
    if s == "st" then
      if ST_ENDING[w[#w - 2]] and #w - 3 >= 3 then cut(w, 2) end
    else
      cut(w, #s)
    end
  end

  -- Step 3: derivational suffixes
  s = longest(w, STEP3)
  if s and at(w, #s) >= r2 then
    if s == "end" or s == "ung" then
      cut(w, #s)
      if ends(w, "ig") and at(w, 2) >= r2 and w[#w - 2] ~= "e" then cut(w, 2) end
    elseif s == "ig" or s == "ik" or s == "isch" then
      if w[#w - #s] ~= "e" then cut(w, #s) end
    elseif s == "lich" or s == "heit" then
      cut(w, #s)
      if (ends(w, "er") or ends(w, "en")) and at(w, 2) >= r1 then cut(w, 2) end
    else -- keit
      cut(w, #s)
      local t = longest(w, { "lich", "ig" })
      if t and at(w, #t) >= r2 then cut(w, #t) end
    end
  end

  for i = 1, #w do w[i] = UNUMLAUT[w[i]] or w[i] end
  return table.concat(w)
end

return M
