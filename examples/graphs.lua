-- Graphs: named graphs, edge definitions, vertex and edge collections, and traversals
-- (a school graph: teachers teach lectures).
local arango = require "arango"

local url = os.getenv("ARANGO_URL") or "http://127.0.0.1:8529"
local username = os.getenv("ARANGO_USER") or "root"
local password = os.getenv("ARANGO_PASSWORD") or ""

local client = arango.client{ hosts = url }
local sys_db = client:db("_system", { username = username, password = password })
local name = "example_graphs"
sys_db:delete_database(name, { ignore_missing = true })
sys_db:create_database(name)
local db = client:db(name, { username = username, password = password })

local function names(list) return table.concat(list, ", ") end

local function describe_definitions(graph)
  local out = {}
  for _, d in ipairs(graph:edge_definitions()) do
    out[#out + 1] = d.edge_collection .. ": " .. names(d.from_vertex_collections) .. " -> "
      .. names(d.to_vertex_collections)
  end
  return table.concat(out, "; ")
end

-- Graphs ------------------------------------------------------------------------------------
print("graphs at first: " .. #db:graphs())
local school
if db:has_graph("school") then school = db:graph("school") else school = db:create_graph("school") end
print("graph " .. school:name() .. " in database " .. school:db_name())
print("vertex collections: [" .. names(school:vertex_collections()) .. "]")
print("edge definitions: " .. #school:edge_definitions())
print("deleted school: " .. tostring(db:delete_graph("school")))

-- Edge definitions ----------------------------------------------------------------------------
school = db:create_graph("school")
if not school:has_edge_definition("teach") then
  -- A wrong mapping on purpose (teachers -> teachers), corrected below.
  school:create_edge_definition{ edge_collection = "teach", from_vertex_collections = { "teachers" },
    to_vertex_collections = { "teachers" } }
end
print("definitions: " .. describe_definitions(school))
school:replace_edge_definition{ edge_collection = "teach", from_vertex_collections = { "teachers" },
  to_vertex_collections = { "lectures" } }
print("replaced: " .. describe_definitions(school))
school:delete_edge_definition("teach", { purge = true })
print("teach collection after purge: " .. tostring(db:has_collection("teach")))

-- Vertex collections --------------------------------------------------------------------------
local teachers
if school:has_vertex_collection("teachers") then
  teachers = school:vertex_collection("teachers")
else
  teachers = school:create_vertex_collection("teachers")
end
print("vertex collections: [" .. names(school:vertex_collections()) .. "]")
print("teachers is a " .. (teachers:properties().type == 2 and "document" or "edge") .. " collection")
teachers:insert{ _key = "jon", name = "Jon" }
teachers:update{ _key = "jon", age = 35 }
teachers:replace{ _key = "jon", name = "Jon", age = 36 }
print("jon's age: " .. teachers:get("jon").age)
print("has jon: " .. tostring(teachers:has("jon")))
teachers:delete("jon")
print("jon after delete: " .. tostring(teachers:get("jon")))

-- Through the graph, with document ids.
school:insert_vertex("teachers", { _key = "jon", name = "Jon" })
school:update_vertex{ _id = "teachers/jon", age = 35 }
school:replace_vertex{ _id = "teachers/jon", name = "Jon", age = 36 }
print("graph has teachers/jon: " .. tostring(school:has_vertex("teachers/jon")))
print("graph vertex name: " .. school:vertex("teachers/jon").name)
school:delete_vertex("teachers/jon")
print("graph has teachers/jon after delete: " .. tostring(school:has_vertex("teachers/jon")))

-- Edge collections ----------------------------------------------------------------------------
local teach
if school:has_edge_definition("teach") then
  teach = school:edge_collection("teach")
else
  teach = school:create_edge_definition{ edge_collection = "teach",
    from_vertex_collections = { "teachers" }, to_vertex_collections = { "lectures" } }
end
local lectures = school:vertex_collection("lectures")
teachers:insert{ _key = "jon", name = "Professor jon" }
lectures:insert{ _key = "CSC101", name = "Introduction to CS" }

teach:insert{ _key = "jon-CSC101", _from = "teachers/jon", _to = "lectures/CSC101" }
teach:replace{ _key = "jon-CSC101", _from = "teachers/jon", _to = "lectures/CSC101", online = false }
teach:update{ _key = "jon-CSC101", online = true }
print("has edge jon-CSC101: " .. tostring(teach:has("jon-CSC101")))
print("edge online: " .. tostring(teach:get("jon-CSC101").online))
teach:delete("jon-CSC101")
local link = teach:link("teachers/jon", "lectures/CSC101", { data = { online = false } })
print("linked: " .. link._id:match("^[^/]+") .. " edge")
print("edges into jon: " .. #teach:edges("teachers/jon", { direction = "in" }).edges)
print("edges out of jon: " .. #teach:edges("teachers/jon", { direction = "out" }).edges)
teach:delete(link)

-- Through the graph, with document ids.
school:insert_edge("teach", { _id = "teach/jon-CSC101", _from = "teachers/jon", _to = "lectures/CSC101" })
school:replace_edge{ _id = "teach/jon-CSC101", _from = "teachers/jon", _to = "lectures/CSC101",
  online = false }
school:update_edge{ _id = "teach/jon-CSC101", online = true }
print("graph has edge: " .. tostring(school:has_edge("teach/jon-CSC101")))
print("graph edge online: " .. tostring(school:edge("teach/jon-CSC101").online))
school:delete_edge("teach/jon-CSC101")
school:link("teach", "teachers/jon", "lectures/CSC101")
print("graph edges out of jon: " .. #school:edges("teach", "teachers/jon", { direction = "out" }).edges)

-- The graph's safeguards: an edge from a collection outside the graph is refused.
local ok, err = pcall(teach.insert, teach, { _from = "students/ann", _to = "lectures/CSC101" })
print("edge from outside the graph refused: " .. tostring(not ok) .. " ("
  .. (ok and "" or (err:class_name() .. " " .. tostring(err.error_code))) .. ")")

-- Deleting a vertex through the graph also deletes its edges.
school:delete_vertex("lectures/CSC101")
print("edges out of jon after deleting CSC101: " .. #teach:edges("teachers/jon", { direction = "out" }).edges)

-- Graph traversals ----------------------------------------------------------------------------
lectures:insert{ _key = "CSC101", name = "Introduction to CS" }
lectures:insert{ _key = "MAT223", name = "Linear Algebra" }
lectures:insert{ _key = "STA201", name = "Statistics" }
teach:insert{ _from = "teachers/jon", _to = "lectures/CSC101" }
teach:insert{ _from = "teachers/jon", _to = "lectures/STA201" }
teach:insert{ _from = "teachers/jon", _to = "lectures/MAT223" }

local result = school:traverse{
  start_vertex = "teachers/jon",
  direction = "outbound",
  strategy = "bfs",
  edge_uniqueness = "global",
  vertex_uniqueness = "global",
}
local visited = {}
for _, v in ipairs(result.vertices) do visited[#visited + 1] = v._key end
print("traversal visited " .. #result.vertices .. " vertices, first " .. visited[1])
table.sort(visited)
print("visited: " .. names(visited))
local longest = 0
for _, p in ipairs(result.paths) do longest = math.max(longest, #p.edges) end
print("paths: " .. #result.paths .. ", longest has " .. longest .. " edge(s)")

local inbound = school:traverse{ start_vertex = "lectures/MAT223", direction = "inbound", min_depth = 1 }
print("who teaches MAT223: " .. inbound.vertices[1].name)

db:delete_graph("school", { drop_collections = true })
print("graphs at the end: " .. #db:graphs())
sys_db:delete_database(name)
client:close()
