-- AQL date functions. Dates are ISO 8601 strings or millisecond timestamps; internally an
-- integer count of milliseconds since the Unix epoch (UTC), proleptic Gregorian calendar.
local U = require "arango.devserver.aql.functions.util"
local TZ = require "arango.devserver.aql.functions.tz"
local errors = require "arango.devserver.errors"
local V = U.V
local def, null = U.def, U.null

local F = {}

local MIN_MS, MAX_MS = -62167219200000, 253402300799999 -- years 0000..9999
local DAY = 86400000

local days_from_civil = TZ.days_from_civil

local function civil_from_days(z)
  z = z + 719468
  local era = (z >= 0 and z or z - 146096) // 146097
  local doe = z - era * 146097
  local yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
  local y = yoe + era * 400
  local doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
  local mp = (5 * doy + 2) // 153
  local d = doy - (153 * mp + 2) // 5 + 1
  local m = mp < 10 and mp + 3 or mp - 9
  if m <= 2 then y = y + 1 end
  return y, m, d
end

local function is_leap(y) return (y % 4 == 0 and y % 100 ~= 0) or y % 400 == 0 end
local month_days = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 }
local function days_in_month(y, m)
  if m == 2 and is_leap(y) then return 29 end
  return month_days[m]
end

--- Breaks ms down into a table of calendar fields.
local function fields(ms)
  local days = ms // DAY
  local rem = ms - days * DAY
  local y, m, d = civil_from_days(days)
  return {
    year = y, month = m, day = d,
    hour = rem // 3600000, minute = rem // 60000 % 60, second = rem // 1000 % 60, ms = rem % 1000,
    wday = (days + 4) % 7, days = days,
  }
end

local function from_fields(y, mo, d, h, mi, s, ms)
  -- months and days may overflow; normalize months first
  y = y + (mo - 1) // 12
  mo = (mo - 1) % 12 + 1
  return (days_from_civil(y, mo, 1) + d - 1) * DAY + h * 3600000 + mi * 60000 + s * 1000 + ms
end

--- Parses an ISO 8601 date string; returns ms or nil.
local function parse_datestring(s)
  if type(s) ~= "string" then return nil end
  s = s:match("^%s*(.-)%s*$")
  local sign, ys, rest = s:match("^([+-]?)(%d%d%d%d%d?%d?)(.*)$")
  if not ys then return nil end
  if #ys ~= 4 and sign == "" then return nil end
  local y = tonumber(ys)
  if sign == "-" then y = -y end
  local mo, d, h, mi, sec, frac = 1, 1, 0, 0, 0, 0
  local tail = rest
  local m2, r2 = tail:match("^%-(%d%d)(.*)$")
  if m2 then
    mo, tail = tonumber(m2), r2
    local d2, r3 = tail:match("^%-(%d%d)(.*)$")
    if d2 then d, tail = tonumber(d2), r3 end
  end
  local offset = 0
  if tail ~= "" then
    local hh, mm, r4 = tail:match("^[T ](%d%d):(%d%d)(.*)$")
    if hh then
      h, mi, tail = tonumber(hh), tonumber(mm), r4
      local ss, r5 = tail:match("^:(%d%d)(.*)$")
      if ss then
        sec, tail = tonumber(ss), r5
        local fs, r6 = tail:match("^[.,](%d+)(.*)$")
        if fs then
          frac = tonumber((fs .. "00"):sub(1, 3))
          tail = r6
        end
      end
    elseif tail:match("^T") then
      return nil
    end
    if tail ~= "" and tail ~= "Z" and tail ~= "z" then
      local sg, oh, om = tail:match("^([+-])(%d%d):?(%d%d)$")
      if not sg then
        sg, oh = tail:match("^([+-])(%d%d)$")
        om = "0"
      end
      if not sg then return nil end
      offset = (tonumber(oh) * 60 + tonumber(om)) * 60000
      if sg == "-" then offset = -offset end
    end
  end
  if mo < 1 or mo > 12 or d < 1 or d > days_in_month(y, mo) or h > 24 or mi > 59 or sec > 59 then
    return nil
  end
  if h == 24 and (mi > 0 or sec > 0 or frac > 0) then return nil end
  return from_fields(y, mo, d, h, mi, sec, frac) - offset
end
F.parse_datestring = parse_datestring

local function pad(n, w)
  local s = tostring(math.abs(n))
  if #s < w then s = string.rep("0", w - #s) .. s end
  return n < 0 and "-" .. s or s
end

local function format_year(y)
  if y >= 0 and y <= 9999 then return pad(y, 4) end
  return (y < 0 and "-" or "+") .. pad(math.abs(y), 6)
end

local function format_local(ms)
  local f = fields(ms)
  return string.format("%s-%s-%sT%s:%s:%s.%s", format_year(f.year), pad(f.month, 2), pad(f.day, 2),
    pad(f.hour, 2), pad(f.minute, 2), pad(f.second, 2), pad(f.ms, 3))
end

--- ISO 8601 text (UTC, with Z) of ms.
function F.format_iso(ms)
  return format_local(ms) .. "Z"
end
local format_iso = F.format_iso

local function invalid(ctx)
  ctx:warn(1572, errors.message(1572))
  return null
end

--- ms of an AQL date argument, or nil (after a warning).
local function to_ms(ctx, v)
  local ms
  if type(v) == "number" then
    if v ~= v then return nil end
    ms = math.floor(v)
    ms = math.tointeger(ms)
  elseif type(v) == "string" then
    ms = parse_datestring(v)
  end
  if not ms or ms < MIN_MS or ms > MAX_MS then
    invalid(ctx)
    return nil
  end
  return ms
end
F.to_ms = to_ms

-- Time zones --------------------------------------------------------------------------------
local function zone(ctx, name)
  if name == nil or name == null then return nil, true end
  if type(name) ~= "string" then
    U.type_warning(ctx, "DATE")
    return nil, false
  end
  if name == "UTC" or name == "Etc/UTC" or name == "Z" then return nil, true end
  local z = TZ.load(name)
  if not z then
    ctx:warn(1572, "invalid timezone '" .. name .. "' (zone data not available)")
    return nil, false
  end
  return z, true
end

--- Local wall-clock ms of UTC ms in zone z (z nil: UTC).
local function to_local(z, ms)
  if not z then return ms end
  return ms + TZ.offset(z, ms // 1000) * 1000
end
local function from_local(z, lms)
  if not z then return lms end
  local frac = lms % 1000
  return TZ.local_to_utc(z, (lms - frac) // 1000) * 1000 + frac
end

-- Component functions -------------------------------------------------------------------------
local function iso_week(f)
  -- ISO week: weeks start on Monday; week 1 contains the year's first Thursday
  local wday = (f.wday + 6) % 7 -- Monday = 0
  local thursday = f.days - wday + 3
  local ty = civil_from_days(thursday)
  local week = (thursday - days_from_civil(ty, 1, 1)) // 7 + 1
  return week, ty
end

local function day_of_year(f)
  return f.days - days_from_civil(f.year, 1, 1) + 1
end

local component = {
  DATE_DAYOFWEEK = function(f) return f.wday end,
  DATE_YEAR = function(f) return f.year end,
  DATE_MONTH = function(f) return f.month end,
  DATE_DAY = function(f) return f.day end,
  DATE_HOUR = function(f) return f.hour end,
  DATE_MINUTE = function(f) return f.minute end,
  DATE_SECOND = function(f) return f.second end,
  DATE_MILLISECOND = function(f) return f.ms end,
  DATE_DAYOFYEAR = day_of_year,
  DATE_ISOWEEK = function(f) return (iso_week(f)) end,
  DATE_ISOWEEKYEAR = function(f)
    local w, y = iso_week(f)
    return V.set_key_order({ week = w, year = y }, { "week", "year" })
  end,
  DATE_LEAPYEAR = function(f) return is_leap(f.year) end,
  DATE_QUARTER = function(f) return (f.month - 1) // 3 + 1 end,
  DATE_DAYS_IN_MONTH = function(f) return days_in_month(f.year, f.month) end,
}

for name, fn in pairs(component) do
  def(F, name, 1, 2, function(ctx, a, n)
    local ms = to_ms(ctx, a[1])
    if not ms then return null end
    local z, ok = zone(ctx, n >= 2 and a[2] or null)
    if not ok then return null end
    return fn(fields(to_local(z, ms)))
  end)
end

-- ctx.now() may count seconds (the engine's wall clock) or milliseconds (tests): a value below
-- 1e11 cannot be a millisecond timestamp of this era, so it is taken as seconds.
local function now_ms(ctx)
  local t = ctx.now and ctx.now() or os.time()
  if t < 1e11 then t = t * 1000 end
  return math.tointeger(math.floor(t))
end

def(F, "DATE_NOW", 0, 0, function(ctx) return now_ms(ctx) end)

--- DATE_ISO8601 / DATE_TIMESTAMP argument forms: (date) or (y, m, d [, h, i, s, ms]).
local function date_args(ctx, a, n)
  if n == 1 then return to_ms(ctx, a[1]) end
  local parts = {}
  for i = 1, 7 do
    local v = a[i]
    if i > n or v == nil or v == null then
      parts[i] = (i <= 3) and 1 or 0
    else
      local x = U.num(v)
      if type(v) ~= "number" and not (type(v) == "string" and V.parse_number(v)) then
        invalid(ctx)
        return nil
      end
      parts[i] = math.tointeger(math.floor(x)) or 0
    end
  end
  local y, mo, d, h, mi, s, ms = table.unpack(parts)
  if mo < 1 or mo > 12 or d < 1 or d > 31 or h > 23 or mi > 59 or s > 59 or ms > 999 or y < 0 or y > 9999 then
    invalid(ctx)
    return nil
  end
  return from_fields(y, mo, d, h, mi, s, ms)
end

def(F, "DATE_ISO8601", 1, 7, function(ctx, a, n)
  local ms = date_args(ctx, a, n)
  if not ms then return null end
  return format_iso(ms)
end)
def(F, "DATE_TIMESTAMP", 1, 7, function(ctx, a, n)
  local ms = date_args(ctx, a, n)
  if not ms then return null end
  return ms
end)

-- Units --------------------------------------------------------------------------------------
local units = {
  y = "y", year = "y", years = "y",
  m = "m", month = "m", months = "m",
  w = "w", week = "w", weeks = "w",
  d = "d", day = "d", days = "d",
  h = "h", hour = "h", hours = "h",
  i = "i", minute = "i", minutes = "i",
  s = "s", second = "s", seconds = "s",
  f = "f", millisecond = "f", milliseconds = "f",
}
local unit_ms = { w = 7 * DAY, d = DAY, h = 3600000, i = 60000, s = 1000, f = 1 }
local function unit_of(v)
  if type(v) ~= "string" then return nil end
  return units[v:lower()]
end

-- Adds amount of unit to local ms lms.
local function add(lms, amount, unit)
  if unit == "y" or unit == "m" then
    local months = unit == "y" and amount * 12 or amount
    local whole = months >= 0 and math.floor(months) or math.ceil(months)
    local f = fields(lms)
    local r = from_fields(f.year, f.month + whole, f.day, f.hour, f.minute, f.second, f.ms)
    local frac = months - whole
    if frac ~= 0 then r = r + math.floor(frac * 30 * DAY) end
    return r
  end
  return lms + math.floor(amount * unit_ms[unit] + 0.5)
end

local function parse_duration(s)
  if type(s) ~= "string" then return nil end
  local date_part, time_part = s:match("^P([^T]*)T?(.*)$")
  if not date_part or (date_part == "" and time_part == "") then return nil end
  local out = {}
  local rest = date_part:gsub("([%d%.]+)([YMWD])", function(num, u)
    out[#out + 1] = { tonumber(num), ({ Y = "y", M = "m", W = "w", D = "d" })[u] }
    return ""
  end)
  if rest ~= "" then return nil end
  rest = time_part:gsub("([%d%.]+)([HMS])", function(num, u)
    out[#out + 1] = { tonumber(num), ({ H = "h", M = "i", S = "s" })[u] }
    return ""
  end)
  if rest ~= "" or s:sub(-1) == "T" then return nil end
  for _, p in ipairs(out) do if not p[1] then return nil end end
  return out
end

local function add_fn(name, sign)
  def(F, name, 2, 4, function(ctx, a, n)
    local ms = to_ms(ctx, a[1])
    if not ms then return null end
    local steps, tzarg
    local duration = parse_duration(a[2])
    if duration and not (n >= 3 and unit_of(a[3])) then
      steps, tzarg = duration, n >= 3 and a[3] or null
    else
      local amount = type(a[2]) == "number" and a[2] or (type(a[2]) == "string" and V.parse_number(a[2]))
      local u = n >= 3 and unit_of(a[3])
      if not amount or amount == null or not u then return invalid(ctx) end
      steps, tzarg = { { amount, u } }, n >= 4 and a[4] or null
    end
    local z, ok = zone(ctx, tzarg)
    if not ok then return null end
    local lms = to_local(z, ms)
    for _, st in ipairs(steps) do lms = add(lms, sign * st[1], st[2]) end
    local r = from_local(z, lms)
    if r < MIN_MS or r > MAX_MS then return invalid(ctx) end
    return format_iso(r)
  end)
end
add_fn("DATE_ADD", 1)
add_fn("DATE_SUBTRACT", -1)

local function month_diff(l1, l2)
  local f1, f2 = fields(l1), fields(l2)
  local months = (f2.year - f1.year) * 12 + (f2.month - f1.month)
  local anchor = from_fields(f1.year, f1.month + months, f1.day, f1.hour, f1.minute, f1.second, f1.ms)
  if months > 0 and anchor > l2 then
    months = months - 1
  elseif months < 0 and anchor < l2 then
    months = months + 1
  end
  anchor = from_fields(f1.year, f1.month + months, f1.day, f1.hour, f1.minute, f1.second, f1.ms)
  local step = l2 >= anchor and 1 or -1
  local nxt = from_fields(f1.year, f1.month + months + step, f1.day, f1.hour, f1.minute, f1.second, f1.ms)
  local frac = 0
  if nxt ~= anchor then frac = (l2 - anchor) / math.abs(nxt - anchor) end
  return months, frac
end

def(F, "DATE_DIFF", 3, 6, function(ctx, a, n)
  local m1 = to_ms(ctx, a[1])
  if not m1 then return null end
  local m2 = to_ms(ctx, a[2])
  if not m2 then return null end
  local u = unit_of(a[3])
  if not u then return invalid(ctx) end
  local as_float, tz1 = false, null
  local i = 4
  if n >= 4 and type(a[4]) == "boolean" then
    as_float = a[4]
    i = 5
  elseif n >= 4 and a[4] == null then
    i = 5
  end
  if n >= i then tz1 = a[i] end
  local tz2 = tz1
  if n >= i + 1 then tz2 = a[i + 1] end
  local z1, ok1 = zone(ctx, tz1)
  local z2, ok2 = zone(ctx, tz2)
  if not ok1 or not ok2 then return null end
  local l1, l2 = to_local(z1, m1), to_local(z2, m2)
  local r
  if u == "y" or u == "m" then
    local months, frac = month_diff(l1, l2)
    r = months + frac
    if u == "y" then r = r / 12 end
  else
    r = (l2 - l1) / unit_ms[u]
  end
  if not as_float then r = r >= 0 and math.floor(r + 1e-9) or math.ceil(r - 1e-9) end
  return V.normalize_number(r + 0.0)
end)

local cmp_units = { y = 1, m = 2, d = 3, h = 4, i = 5, s = 6, f = 7 }
def(F, "DATE_COMPARE", 3, 5, function(ctx, a, n)
  local m1 = to_ms(ctx, a[1])
  if not m1 then return null end
  local m2 = to_ms(ctx, a[2])
  if not m2 then return null end
  local us = cmp_units[unit_of(a[3]) or ""]
  local ue = us
  local tzarg = null
  if n >= 4 then
    local e = unit_of(a[4])
    if e and cmp_units[e] then
      ue = cmp_units[e]
      if n >= 5 then tzarg = a[5] end
    elseif a[4] ~= null then
      tzarg = a[4]
    end
    if n < 4 or a[4] == null then ue = 7 end
  else
    ue = 7
  end
  if not us or ue < us then return invalid(ctx) end
  local z, ok = zone(ctx, tzarg)
  if not ok then return null end
  local f1, f2 = fields(to_local(z, m1)), fields(to_local(z, m2))
  local keys = { "year", "month", "day", "hour", "minute", "second", "ms" }
  for k = us, ue do
    if f1[keys[k]] ~= f2[keys[k]] then return false end
  end
  return true
end)

local function trunc(lms, u)
  local f = fields(lms)
  if u == "y" then return from_fields(f.year, 1, 1, 0, 0, 0, 0) end
  if u == "m" then return from_fields(f.year, f.month, 1, 0, 0, 0, 0) end
  if u == "w" then
    local monday = f.days - (f.wday + 6) % 7
    return monday * DAY
  end
  local step = unit_ms[u]
  return lms // step * step
end

def(F, "DATE_TRUNC", 2, 3, function(ctx, a, n)
  local ms = to_ms(ctx, a[1])
  if not ms then return null end
  local u = unit_of(a[2])
  if not u then return invalid(ctx) end
  local z, ok = zone(ctx, n >= 3 and a[3] or null)
  if not ok then return null end
  return format_iso(from_local(z, trunc(to_local(z, ms), u)))
end)

def(F, "DATE_ROUND", 3, 4, function(ctx, a, n)
  local ms = to_ms(ctx, a[1])
  if not ms then return null end
  local amount = a[2]
  local u = unit_of(a[3])
  if type(amount) ~= "number" or amount <= 0 or not u or not unit_ms[u] or u == "w" then
    return invalid(ctx)
  end
  local z, ok = zone(ctx, n >= 4 and a[4] or null)
  if not ok then return null end
  local step = math.floor(amount * unit_ms[u])
  if step <= 0 then return invalid(ctx) end
  local lms = to_local(z, ms)
  return format_iso(from_local(z, lms // step * step))
end)

-- DATE_FORMAT ----------------------------------------------------------------------------------
local month_names = { "January", "February", "March", "April", "May", "June", "July", "August",
  "September", "October", "November", "December" }
local day_names = { "Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday" }

local placeholders = {
  -- longest first within each letter
  { "yyyyyy", function(f) return (f.year < 0 and "-" or "+") .. pad(math.abs(f.year), 6) end },
  { "yyyy", function(f) return pad(f.year, 4) end },
  { "yy", function(f) return pad(math.abs(f.year) % 100, 2) end },
  { "y", function(f) return tostring(f.year) end },
  { "mmmm", function(f) return month_names[f.month] end },
  { "mmm", function(f) return month_names[f.month]:sub(1, 3) end },
  { "mm", function(f) return pad(f.month, 2) end },
  { "m", function(f) return tostring(f.month) end },
  { "wwww", function(f) return day_names[f.wday + 1] end },
  { "www", function(f) return day_names[f.wday + 1]:sub(1, 3) end },
  { "w", function(f) return tostring(f.wday) end },
  { "dd", function(f) return pad(f.day, 2) end },
  { "d", function(f) return tostring(f.day) end },
  { "hh", function(f) return pad(f.hour, 2) end },
  { "h", function(f) return tostring(f.hour) end },
  { "ii", function(f) return pad(f.minute, 2) end },
  { "i", function(f) return tostring(f.minute) end },
  { "ss", function(f) return pad(f.second, 2) end },
  { "s", function(f) return tostring(f.second) end },
  { "fff", function(f) return pad(f.ms, 3) end },
  { "f", function(f) return tostring(f.ms) end },
  { "xxx", function(f) return pad(day_of_year(f), 3) end },
  { "x", function(f) return tostring(day_of_year(f)) end },
  { "kk", function(f) return pad((iso_week(f)), 2) end },
  { "k", function(f) return tostring((iso_week(f))) end },
  { "l", function(f) return is_leap(f.year) and "1" or "0" end },
  { "q", function(f) return tostring((f.month - 1) // 3 + 1) end },
  { "a", function(f) return tostring(days_in_month(f.year, f.month)) end },
  { "t", function(_, ms) return tostring(ms) end },
  { "z", function(_, _, lms) return format_iso(lms) end },
  { "&", function() return "" end },
  { "%", function() return "%" end },
}

local function date_format(lms, fmt)
  local f = fields(lms)
  local out = {}
  local i = 1
  local len = #fmt
  while i <= len do
    local c = fmt:sub(i, i)
    if c == "%" then
      local matched = false
      for _, p in ipairs(placeholders) do
        local key = p[1]
        if fmt:sub(i + 1, i + #key) == key then
          out[#out + 1] = p[2](f, lms, lms)
          i = i + 1 + #key
          matched = true
          break
        end
      end
      if not matched then
        -- an unknown placeholder is dropped, the % too
        i = i + 1
      end
    else
      out[#out + 1] = c
      i = i + 1
    end
  end
  return table.concat(out)
end

def(F, "DATE_FORMAT", 2, 3, function(ctx, a, n)
  local ms = to_ms(ctx, a[1])
  if not ms then return null end
  if type(a[2]) ~= "string" then return U.type_warning(ctx, "DATE_FORMAT") end
  local z, ok = zone(ctx, n >= 3 and a[3] or null)
  if not ok then return null end
  return date_format(to_local(z, ms), a[2])
end)

-- Time zone conversion ----------------------------------------------------------------------------
local function zone_info(z, utc_ms)
  local p = TZ.period(z, utc_ms // 1000)
  return V.set_key_order({
    name = p.abbr or z.name,
    begin = p.begin and format_iso(p.begin * 1000) or null,
    ["end"] = p["end"] and format_iso(p["end"] * 1000) or null,
    dst = p.isdst and true or false,
    offset = p.offset,
  }, { "name", "begin", "end", "dst", "offset" })
end

local function tz_convert(name, to_utc)
  def(F, name, 2, 3, function(ctx, a, n)
    local ms = to_ms(ctx, a[1])
    if not ms then return null end
    if type(a[2]) ~= "string" then return U.type_warning(ctx, name) end
    local z, ok = zone(ctx, a[2])
    if not ok then return null end
    local result, utc
    if to_utc then
      utc = from_local(z, ms)
      result = format_iso(utc)
    else
      utc = ms
      result = format_local(to_local(z, ms))
    end
    if n >= 3 and V.truthy(a[3]) then
      local info = z and zone_info(z, utc) or V.set_key_order({
        name = "UTC", begin = null, ["end"] = null, dst = false, offset = 0,
      }, { "name", "begin", "end", "dst", "offset" })
      local key = to_utc and "utc" or "local"
      return V.set_key_order({ [key] = result, tzdb = TZ.version() or "unknown", zoneInfo = info },
        { key, "tzdb", "zoneInfo" })
    end
    return result
  end)
end
tz_convert("DATE_UTCTOLOCAL", false)
tz_convert("DATE_LOCALTOUTC", true)

def(F, "DATE_TIMEZONE", 0, 0, function() return "Etc/UTC" end)
def(F, "DATE_TIMEZONES", 0, 0, function() return V.array(TZ.names()) end)

return F
