-- AQL geo functions on GeoJSON ([longitude, latitude] positions). Distances are great-circle
-- (haversine) on a sphere with the Earth's mean radius; containment and intersection are planar
-- tests on longitude/latitude, which match spherical results for shapes that are not huge.
local U = require "arango.devserver.aql.functions.util"
local errors = require "arango.devserver.errors"
local V = U.V
local def, null = U.def, U.null
local A = V.array

local F = {}

local R = 6371000 -- Earth radius in meters that ArangoDB uses for its distance functions
local rad = math.pi / 180

local function haversine(lat1, lon1, lat2, lon2)
  local p1, p2 = lat1 * rad, lat2 * rad
  local dp, dl = (lat2 - lat1) * rad, (lon2 - lon1) * rad
  local h = math.sin(dp / 2) ^ 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ^ 2
  if h > 1 then h = 1 end
  return 2 * R * math.asin(math.sqrt(h))
end
F.haversine = haversine

local function is_pos(p)
  return V.is_array(p) and #p >= 2 and type(p[1]) == "number" and type(p[2]) == "number"
    and p[2] >= -90 and p[2] <= 90 and p[1] >= -180 and p[1] <= 180
end

local function positions(list, min)
  if not V.is_array(list) or #list < (min or 1) then return false end
  for _, p in ipairs(list) do if not is_pos(p) then return false end end
  return true
end

--- Normalizes a GeoJSON value or a [lon, lat] pair to { type, coordinates }; nil when invalid.
local function geometry(v)
  if is_pos(v) then return { type = "Point", coordinates = v } end
  if not V.is_object(v) then return nil end
  local t, c = v.type, v.coordinates
  if t == "Point" and is_pos(c) then return { type = t, coordinates = c } end
  if (t == "MultiPoint") and positions(c, 1) then return { type = t, coordinates = c } end
  if t == "LineString" and positions(c, 2) then return { type = t, coordinates = c } end
  if t == "MultiLineString" and V.is_array(c) and #c > 0 then
    for _, l in ipairs(c) do if not positions(l, 2) then return nil end end
    return { type = t, coordinates = c }
  end
  if t == "Polygon" and V.is_array(c) and #c > 0 then
    for _, ring in ipairs(c) do if not positions(ring, 4) then return nil end end
    return { type = t, coordinates = c }
  end
  if t == "MultiPolygon" and V.is_array(c) and #c > 0 then
    for _, poly in ipairs(c) do
      if not V.is_array(poly) or #poly == 0 then return nil end
      for _, ring in ipairs(poly) do if not positions(ring, 4) then return nil end end
    end
    return { type = t, coordinates = c }
  end
  return nil
end
F.geometry = geometry

local function geo_warning(ctx, name)
  ctx:warn(1542, errors.message(1542, name))
  return null
end

-- All vertices of a geometry.
local function vertices(g)
  local out = {}
  local function walk(c, depth)
    if depth == 0 then out[#out + 1] = c; return end
    for _, x in ipairs(c) do walk(x, depth - 1) end
  end
  local depth = ({ Point = 0, MultiPoint = 1, LineString = 1, MultiLineString = 2, Polygon = 2,
    MultiPolygon = 3 })[g.type]
  walk(g.coordinates, depth)
  return out
end

local function centroid(g)
  if g.type == "Point" then return g.coordinates[1], g.coordinates[2] end
  -- average of the unit vectors of the vertices (closing vertices of rings counted once)
  local x, y, z = 0, 0, 0
  local pts = vertices(g)
  if g.type == "Polygon" or g.type == "MultiPolygon" then
    local rings = g.type == "Polygon" and { g.coordinates[1] } or {}
    if g.type == "MultiPolygon" then
      for _, poly in ipairs(g.coordinates) do rings[#rings + 1] = poly[1] end
    end
    pts = {}
    for _, ring in ipairs(rings) do
      for i = 1, #ring - 1 do pts[#pts + 1] = ring[i] end
    end
  end
  for _, p in ipairs(pts) do
    local lat, lon = p[2] * rad, p[1] * rad
    x = x + math.cos(lat) * math.cos(lon)
    y = y + math.cos(lat) * math.sin(lon)
    z = z + math.sin(lat)
  end
  local lon = math.atan(y, x) / rad
  local lat = math.atan(z, math.sqrt(x * x + y * y)) / rad
  return lon, lat
end

local function distance(ga, gb)
  local lon1, lat1 = centroid(ga)
  local lon2, lat2 = centroid(gb)
  return haversine(lat1, lon1, lat2, lon2)
end

def(F, "DISTANCE", 4, 4, function(ctx, a)
  for i = 1, 4 do
    if type(a[i]) ~= "number" then return geo_warning(ctx, "DISTANCE") end
  end
  return V.normalize_number(haversine(a[1], a[2], a[3], a[4]))
end)

def(F, "GEO_DISTANCE", 2, 3, function(ctx, a)
  local ga, gb = geometry(a[1]), geometry(a[2])
  if not ga or not gb then return geo_warning(ctx, "GEO_DISTANCE") end
  return V.normalize_number(distance(ga, gb))
end)

def(F, "GEO_IN_RANGE", 4, 7, function(ctx, a, n)
  local ga, gb = geometry(a[1]), geometry(a[2])
  if not ga or not gb or type(a[3]) ~= "number" or type(a[4]) ~= "number" then
    return geo_warning(ctx, "GEO_IN_RANGE")
  end
  local d = distance(ga, gb)
  local inc_lo = n < 5 or V.truthy(a[5])
  local inc_hi = n < 6 or V.truthy(a[6])
  local ok_lo = inc_lo and d >= a[3] or d > a[3]
  local ok_hi = inc_hi and d <= a[4] or d < a[4]
  return ok_lo and ok_hi
end)

-- Planar point-in-ring (ray casting); boundary counts as inside.
local function on_segment(px, py, ax, ay, bx, by)
  local cross = (bx - ax) * (py - ay) - (by - ay) * (px - ax)
  if math.abs(cross) > 1e-12 then return false end
  return px >= math.min(ax, bx) - 1e-12 and px <= math.max(ax, bx) + 1e-12
    and py >= math.min(ay, by) - 1e-12 and py <= math.max(ay, by) + 1e-12
end

local function in_ring(px, py, ring)
  local inside = false
  local n = #ring
  for i = 1, n do
    local a, b = ring[i], ring[i % n + 1]
    local ax, ay, bx, by = a[1], a[2], b[1], b[2]
    if on_segment(px, py, ax, ay, bx, by) then return true, true end
    if (ay > py) ~= (by > py) then
      local x = ax + (py - ay) * (bx - ax) / (by - ay)
      if px < x then inside = not inside end
    end
  end
  return inside, false
end

local function in_polygon(px, py, rings)
  if not in_ring(px, py, rings[1]) then return false end
  for i = 2, #rings do
    local inside, boundary = in_ring(px, py, rings[i])
    if inside and not boundary then return false end
  end
  return true
end

local function polygons(g)
  if g.type == "Polygon" then return { g.coordinates } end
  if g.type == "MultiPolygon" then return g.coordinates end
  return nil
end

local function point_in(g, p)
  for _, poly in ipairs(polygons(g)) do
    if in_polygon(p[1], p[2], poly) then return true end
  end
  return false
end

local function segments(g)
  local segs = {}
  local function add_line(line)
    for i = 1, #line - 1 do segs[#segs + 1] = { line[i], line[i + 1] } end
  end
  local t = g.type
  if t == "LineString" then add_line(g.coordinates)
  elseif t == "MultiLineString" or t == "Polygon" then
    for _, l in ipairs(g.coordinates) do add_line(l) end
  elseif t == "MultiPolygon" then
    for _, poly in ipairs(g.coordinates) do
      for _, l in ipairs(poly) do add_line(l) end
    end
  end
  return segs
end

local function seg_intersect(s1, s2)
  local function orient(a, b, c)
    local v = (b[1] - a[1]) * (c[2] - a[2]) - (b[2] - a[2]) * (c[1] - a[1])
    if math.abs(v) < 1e-12 then return 0 end
    return v > 0 and 1 or -1
  end
  local p1, p2, q1, q2 = s1[1], s1[2], s2[1], s2[2]
  local o1, o2 = orient(p1, p2, q1), orient(p1, p2, q2)
  local o3, o4 = orient(q1, q2, p1), orient(q1, q2, p2)
  if o1 ~= o2 and o3 ~= o4 then return true end
  if o1 == 0 and on_segment(q1[1], q1[2], p1[1], p1[2], p2[1], p2[2]) then return true end
  if o2 == 0 and on_segment(q2[1], q2[2], p1[1], p1[2], p2[1], p2[2]) then return true end
  if o3 == 0 and on_segment(p1[1], p1[2], q1[1], q1[2], q2[1], q2[2]) then return true end
  if o4 == 0 and on_segment(p2[1], p2[2], q1[1], q1[2], q2[1], q2[2]) then return true end
  return false
end

local function contains(ga, gb)
  if not polygons(ga) then
    -- only equal points/lines "contain" each other
    return V.equals(ga.coordinates, gb.coordinates)
  end
  for _, p in ipairs(vertices(gb)) do
    if not point_in(ga, p) then return false end
  end
  return true
end

local function intersects(ga, gb)
  if polygons(ga) then
    for _, p in ipairs(vertices(gb)) do if point_in(ga, p) then return true end end
  end
  if polygons(gb) then
    for _, p in ipairs(vertices(ga)) do if point_in(gb, p) then return true end end
  end
  local sa, sb = segments(ga), segments(gb)
  for _, s1 in ipairs(sa) do
    for _, s2 in ipairs(sb) do
      if seg_intersect(s1, s2) then return true end
    end
  end
  -- points against points/lines
  local va, vb = vertices(ga), vertices(gb)
  if #sa == 0 then
    for _, p in ipairs(va) do
      for _, s in ipairs(sb) do
        if on_segment(p[1], p[2], s[1][1], s[1][2], s[2][1], s[2][2]) then return true end
      end
      for _, q in ipairs(vb) do if p[1] == q[1] and p[2] == q[2] then return true end end
    end
  end
  return false
end

def(F, "GEO_CONTAINS", 2, 2, function(ctx, a)
  local ga, gb = geometry(a[1]), geometry(a[2])
  if not ga or not gb then return geo_warning(ctx, "GEO_CONTAINS") end
  return contains(ga, gb)
end)

def(F, "GEO_INTERSECTS", 2, 2, function(ctx, a)
  local ga, gb = geometry(a[1]), geometry(a[2])
  if not ga or not gb then return geo_warning(ctx, "GEO_INTERSECTS") end
  return intersects(ga, gb)
end)

def(F, "GEO_EQUALS", 2, 2, function(ctx, a)
  local ga, gb = geometry(a[1]), geometry(a[2])
  if not ga or not gb then return geo_warning(ctx, "GEO_EQUALS") end
  return ga.type == gb.type and V.equals(ga.coordinates, gb.coordinates)
end)

-- Spherical excess area of a ring (lon/lat degrees), in square meters.
local function ring_area(ring, radius)
  local total = 0
  for i = 1, #ring - 1 do
    local p1, p2 = ring[i], ring[i + 1]
    total = total + (p2[1] - p1[1]) * rad * (2 + math.sin(p1[2] * rad) + math.sin(p2[2] * rad))
  end
  return math.abs(total * radius * radius / 2)
end

def(F, "GEO_AREA", 1, 2, function(ctx, a)
  local g = geometry(a[1])
  if not g then return geo_warning(ctx, "GEO_AREA") end
  local polys = polygons(g)
  if not polys then return 0 end
  local radius = R
  if a[2] == "wgs84" then radius = 6371007.2 end -- authalic radius of the WGS84 ellipsoid
  local area = 0
  for _, poly in ipairs(polys) do
    area = area + ring_area(poly[1], radius)
    for i = 2, #poly do area = area - ring_area(poly[i], radius) end
  end
  return V.normalize_number(area)
end)

-- Constructors ----------------------------------------------------------------------------------
local function typed(t, coords)
  return V.set_key_order({ type = t, coordinates = coords }, { "type", "coordinates" })
end

def(F, "GEO_POINT", 2, 2, function(ctx, a)
  if type(a[1]) ~= "number" or type(a[2]) ~= "number" then return geo_warning(ctx, "GEO_POINT") end
  return typed("Point", A({ a[1], a[2] }))
end)

def(F, "GEO_MULTIPOINT", 1, 1, function(ctx, a)
  if not positions(a[1], 2) then return geo_warning(ctx, "GEO_MULTIPOINT") end
  return typed("MultiPoint", a[1])
end)

def(F, "GEO_LINESTRING", 1, 1, function(ctx, a)
  if not positions(a[1], 2) then return geo_warning(ctx, "GEO_LINESTRING") end
  return typed("LineString", a[1])
end)

def(F, "GEO_MULTILINESTRING", 1, 1, function(ctx, a)
  local c = a[1]
  if not V.is_array(c) or #c < 1 then return geo_warning(ctx, "GEO_MULTILINESTRING") end
  for _, l in ipairs(c) do
    if not positions(l, 2) then return geo_warning(ctx, "GEO_MULTILINESTRING") end
  end
  return typed("MultiLineString", c)
end)

local function polygon_coords(c)
  if not V.is_array(c) or #c == 0 then return nil end
  if is_pos(c[1]) then c = A({ c }) end
  for _, ring in ipairs(c) do
    if not positions(ring, 4) then return nil end
    local f, l = ring[1], ring[#ring]
    if f[1] ~= l[1] or f[2] ~= l[2] then return nil end
  end
  return c
end

def(F, "GEO_POLYGON", 1, 1, function(ctx, a)
  local c = polygon_coords(a[1])
  if not c then return geo_warning(ctx, "GEO_POLYGON") end
  return typed("Polygon", c)
end)

def(F, "GEO_MULTIPOLYGON", 1, 1, function(ctx, a)
  local c = a[1]
  if not V.is_array(c) or #c < 1 then return geo_warning(ctx, "GEO_MULTIPOLYGON") end
  local out = A({})
  for i, poly in ipairs(c) do
    local pc = polygon_coords(poly)
    if not pc then return geo_warning(ctx, "GEO_MULTIPOLYGON") end
    out[i] = pc
  end
  return typed("MultiPolygon", out)
end)

-- Legacy ------------------------------------------------------------------------------------------
def(F, "IS_IN_POLYGON", 2, 3, function(ctx, a, n)
  local poly = a[1]
  if not V.is_array(poly) or #poly < 3 then return geo_warning(ctx, "IS_IN_POLYGON") end
  local lat, lon
  local geojson = false
  if n == 3 and type(a[2]) == "number" then
    lat, lon = a[2], a[3]
  elseif V.is_array(a[2]) and #a[2] >= 2 then
    geojson = n == 3 and V.truthy(a[3])
    if geojson then lon, lat = a[2][1], a[2][2] else lat, lon = a[2][1], a[2][2] end
  else
    return geo_warning(ctx, "IS_IN_POLYGON")
  end
  if type(lat) ~= "number" or type(lon) ~= "number" then return geo_warning(ctx, "IS_IN_POLYGON") end
  local ring = {}
  for i, p in ipairs(poly) do
    if not V.is_array(p) or type(p[1]) ~= "number" or type(p[2]) ~= "number" then
      return geo_warning(ctx, "IS_IN_POLYGON")
    end
    -- the polygon is given as [lat, lon] pairs unless geojson is set
    ring[i] = geojson and { p[1], p[2] } or { p[2], p[1] }
  end
  local inside = in_ring(lon, lat, ring)
  return inside
end)

local function needs_index(name, min, max)
  def(F, name, min, max, function(ctx, a)
    return ctx:fail(1570, errors.message(1570, V.to_string(a[1])))
  end)
end
needs_index("NEAR", 3, 5)
needs_index("WITHIN", 4, 5)
needs_index("WITHIN_RECTANGLE", 5, 5)

return F
