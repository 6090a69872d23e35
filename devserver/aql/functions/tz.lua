-- Time zones for AQL date functions: reads TZif files (RFC 8536) from the system zoneinfo
-- directory, including the POSIX TZ footer rule for instants after the last transition.
local M = {}

M.dir = "/usr/share/zoneinfo"

local cache = {}

local function days_from_civil(y, m, d)
  y = m <= 2 and y - 1 or y
  local era = (y >= 0 and y or y - 399) // 400
  local yoe = y - era * 400
  local doy = (153 * (m > 2 and m - 3 or m + 9) + 2) // 5 + d - 1
  local doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
  return era * 146097 + doe - 719468
end
M.days_from_civil = days_from_civil

-- POSIX TZ strings like "CET-1CEST,M3.5.0,M10.5.0/3" -----------------------------------------
local function parse_offset(s, i)
  local sign = 1
  local c = s:sub(i, i)
  if c == "+" then i = i + 1 elseif c == "-" then sign = -1; i = i + 1 end
  local h, rest = s:match("^(%d+)()", i)
  if not h then return nil, i end
  local secs = tonumber(h) * 3600
  i = rest
  local m, r2 = s:match("^:(%d+)()", i)
  if m then
    secs = secs + tonumber(m) * 60
    i = r2
    local sec, r3 = s:match("^:(%d+)()", i)
    if sec then secs = secs + tonumber(sec); i = r3 end
  end
  return sign * secs, i
end

local function parse_name(s, i)
  if s:sub(i, i) == "<" then
    local name, rest = s:match("^<([^>]*)>()", i)
    return name, rest
  end
  local name, rest = s:match("^(%a+)()", i)
  return name, rest
end

local function parse_rule(s, i)
  local r = {}
  local m, w, d, rest = s:match("^M(%d+)%.(%d+)%.(%d+)()", i)
  if m then
    r.kind, r.month, r.week, r.wday = "M", tonumber(m), tonumber(w), tonumber(d)
    i = rest
  else
    local j, rest2 = s:match("^J(%d+)()", i)
    if j then
      r.kind, r.day = "J", tonumber(j)
      i = rest2
    else
      local n, rest3 = s:match("^(%d+)()", i)
      if not n then return nil, i end
      r.kind, r.day = "N", tonumber(n)
      i = rest3
    end
  end
  r.time = 7200
  if s:sub(i, i) == "/" then
    r.time, i = parse_offset(s, i + 1)
  end
  return r, i
end

local function parse_posix(s)
  if not s or s == "" then return nil end
  local std, i = parse_name(s, 1)
  if not std then return nil end
  local off
  off, i = parse_offset(s, i)
  if not off then return nil end
  local tz = { std = std, std_offset = -off }
  if i > #s then return tz end
  local dst
  dst, i = parse_name(s, i)
  if not dst then return tz end
  tz.dst = dst
  tz.dst_offset = tz.std_offset + 3600
  if s:sub(i, i) ~= "," and i <= #s then
    local o
    o, i = parse_offset(s, i)
    tz.dst_offset = -o
  end
  if s:sub(i, i) ~= "," then return tz end
  tz.start, i = parse_rule(s, i + 1)
  if s:sub(i, i) ~= "," then return tz end
  tz.finish = parse_rule(s, i + 1)
  return tz
end

-- Seconds since the epoch (local wall time of the rule, before offsets) when rule r fires in year y.
local function rule_time(r, y)
  local days
  if r.kind == "M" then
    local first = days_from_civil(y, r.month, 1)
    local wday_first = (first + 4) % 7 -- 1970-01-01 was a Thursday (4)
    local d = (r.wday - wday_first) % 7 + 1 + (r.week - 1) * 7
    local mdays = days_from_civil(r.month == 12 and y + 1 or y, r.month == 12 and 1 or r.month + 1, 1) - first
    if d > mdays then d = d - 7 end
    days = first + d - 1
  elseif r.kind == "J" then
    local leap = (y % 4 == 0 and y % 100 ~= 0) or y % 400 == 0
    local day = r.day
    if leap and day >= 60 then day = day + 1 end
    days = days_from_civil(y, 1, 1) + day - 1
  else
    days = days_from_civil(y, 1, 1) + r.day
  end
  return days * 86400 + r.time
end

-- Transitions of a POSIX rule in year y: { {utc_seconds, offset, isdst, abbr}, ... } sorted.
local function posix_transitions(p, y)
  if not p.start or not p.finish then return {} end
  local t1 = rule_time(p.start, y) - p.std_offset  -- DST starts (wall time in standard time)
  local t2 = rule_time(p.finish, y) - p.dst_offset -- DST ends (wall time in daylight time)
  local list = {
    { t1, p.dst_offset, true, p.dst },
    { t2, p.std_offset, false, p.std },
  }
  table.sort(list, function(a, b) return a[1] < b[1] end)
  return list
end

-- TZif reader --------------------------------------------------------------------------------
local function read_tzif(data)
  if data:sub(1, 4) ~= "TZif" then return nil end
  local version = data:sub(5, 5)
  local function header(pos)
    local isutc, isstd, leap, timecnt, typecnt, charcnt = string.unpack(">I4I4I4I4I4I4", data, pos + 20)
    return isutc, isstd, leap, timecnt, typecnt, charcnt
  end
  local pos = 1
  local isutc, isstd, leap, timecnt, typecnt, charcnt = header(pos)
  local tsize = 4
  if version >= "2" then
    -- skip the v1 block
    pos = pos + 44 + timecnt * 4 + timecnt + typecnt * 6 + charcnt + leap * 8 + isstd + isutc
    isutc, isstd, leap, timecnt, typecnt, charcnt = header(pos)
    tsize = 8
  end
  local p = pos + 44
  local times, idx = {}, {}
  for i = 1, timecnt do
    times[i] = string.unpack(tsize == 8 and ">i8" or ">i4", data, p)
    p = p + tsize
  end
  for i = 1, timecnt do
    idx[i] = data:byte(p) + 1
    p = p + 1
  end
  local types = {}
  for i = 1, typecnt do
    local off, dst, ai = string.unpack(">i4BB", data, p)
    types[i] = { offset = off, isdst = dst == 1, abbr_index = ai }
    p = p + 6
  end
  local chars = data:sub(p, p + charcnt - 1)
  for _, t in ipairs(types) do
    t.abbr = chars:match("^[^%z]*", t.abbr_index + 1)
  end
  p = p + charcnt + leap * (tsize + 4) + isstd + isutc
  local footer
  if tsize == 8 then footer = data:match("^\n([^\n]*)\n", p) end
  return { times = times, idx = idx, types = types, posix = parse_posix(footer) }
end

--- Loads zone `name`; nil when unknown or unreadable.
function M.load(name)
  if type(name) ~= "string" or name == "" or name:find("%.%.") or name:sub(1, 1) == "/" then return nil end
  local z = cache[name]
  if z ~= nil then return z or nil end
  local f = io.open(M.dir .. "/" .. name, "rb")
  if not f then
    cache[name] = false
    return nil
  end
  local data = f:read("a")
  f:close()
  z = read_tzif(data)
  if z then z.name = name end
  cache[name] = z or false
  return z
end

--- Information about the period of zone z containing UTC second t:
-- { offset = seconds east of UTC, isdst, abbr, begin = utc seconds or nil, ["end"] = utc seconds or nil }
function M.period(z, t)
  local times = z.times
  local n = #times
  local lo, hi = 1, n
  local found = 0
  while lo <= hi do
    local mid = (lo + hi) // 2
    if times[mid] <= t then found = mid; lo = mid + 1 else hi = mid - 1 end
  end
  if found == n and z.posix then
    local p = z.posix
    if not p.start then
      return { offset = p.std_offset, isdst = false, abbr = p.std, begin = n > 0 and times[n] or nil }
    end
    local y = os.date("!*t", math.max(t, 0)).year
    if t < 0 then y = 1970 end
    local list = {}
    for yy = y - 1, y + 1 do
      for _, tr in ipairs(posix_transitions(p, yy)) do list[#list + 1] = tr end
    end
    local cur, nxt
    for i, tr in ipairs(list) do
      if tr[1] <= t then cur = tr; nxt = list[i + 1] end
    end
    if cur then
      local begin = cur[1]
      if n > 0 and times[n] > begin then begin = times[n] end
      return { offset = cur[2], isdst = cur[3], abbr = cur[4], begin = begin, ["end"] = nxt and nxt[1] }
    end
  end
  local ty
  if found == 0 then
    -- before the first transition: the first non-DST type
    ty = z.types[1]
    for _, t2 in ipairs(z.types) do if not t2.isdst then ty = t2; break end end
    return { offset = ty.offset, isdst = ty.isdst, abbr = ty.abbr, begin = nil, ["end"] = times[1] }
  end
  ty = z.types[z.idx[found]]
  local stop = times[found + 1]
  if not stop and z.posix and z.posix.start then
    local p = M.period(z, t + 366 * 86400) -- next rule-based change
    stop = p.begin
  end
  return { offset = ty.offset, isdst = ty.isdst, abbr = ty.abbr, begin = times[found], ["end"] = stop }
end

--- Offset (seconds) of zone z at UTC second t.
function M.offset(z, t)
  return M.period(z, t).offset
end

--- UTC second for local wall-clock second `lt` in zone z (earlier offset wins in gaps/overlaps).
function M.local_to_utc(z, lt)
  local o1 = M.offset(z, lt)
  local t = lt - o1
  local o2 = M.offset(z, t)
  if o2 ~= o1 then
    local t2 = lt - o2
    if M.offset(z, t2) == o2 then return t2 end
  end
  return t
end

--- Version of the time zone database, e.g. "2025b".
function M.version()
  local f = io.open(M.dir .. "/tzdata.zi", "r")
  if not f then return nil end
  local line = f:read("l") or ""
  f:close()
  return line:match("version%s+(%S+)")
end

--- Names of all zones (from tzdata.zi: zones and links).
function M.names()
  local f = io.open(M.dir .. "/tzdata.zi", "r")
  local out = {}
  if not f then return out end
  for line in f:lines() do
    local z = line:match("^Z (%S+)")
    if z then out[#out + 1] = z end
    local l = line:match("^L %S+ (%S+)")
    if l then out[#out + 1] = l end
  end
  f:close()
  table.sort(out)
  return out
end

return M
