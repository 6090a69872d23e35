-- Parse-only conformance: every AQL code block of the 3.12 documentation that has no recorded
-- output (../shared/arangodb/aql/snippets.jsonl) goes through the devserver's parser.
-- A snippet counts as
--   parsed               the whole text is one query the parser accepts
--   expression           the text is one expression (`RETURN (<text>)` parses)
--   fragment             statements without a final RETURN (`... RETURN 1` parses)
--   several statements   blocks/lines that each parse as a query or an expression
--   placeholder / explain output / elided   not AQL at all (syntax diagrams, plans, "…")
-- Anything else must be listed in KNOWN below with the reason; an unlisted failure fails the
-- spec, so a snippet that used to parse cannot silently stop parsing.
-- The second part runs every self-contained, deterministic documented result
-- (documented-results.jsonl: operators as well as function calls) through the full engine.
local aql = require "arango.devserver.aql"
local V = require "arango.devserver.aql.values"
local shared = require "spec.support.shared"

local DATA = shared.dir .. "/arangodb/aql/"
local read_jsonl = shared.read_jsonl

local function id_of(s)
  return (s.page:match("([^/]+)%.md$") or s.page) .. ":" .. s.line
end

-- Snippets that are not valid AQL as written, by page:line, with the reason.
local SYNTAX_SKETCH = "syntax sketch with alternatives (OUTBOUND|INBOUND|ANY, [optional] parts)"
local MOD_SKETCH = "syntax sketch: the word `options` stands for an OPTIONS clause"
local KNOWN = {
  ["arangosearch:734"] = "typo in the documentation: missing comma between arguments",
  ["all-shortest-paths:47"] = SYNTAX_SKETCH, ["k-paths:112"] = SYNTAX_SKETCH,
  ["k-shortest-paths:91"] = SYNTAX_SKETCH, ["shortest-path:63"] = SYNTAX_SKETCH,
  ["traversals:21"] = SYNTAX_SKETCH, ["traversals:87"] = SYNTAX_SKETCH,
  ["traversals:384"] = "documents an invalid `FOR v, IN` form (the comma needs a second variable)",
  ["traversals:399"] = "documents an invalid `FOR v, IN` form (the comma needs a second variable)",
  ["let:23"] = "documents syntax errors (assignment without LET, re-declaration)",
  ["remove:134"] = "fragment: REPLACE without IN collection",
  ["remove:158"] = MOD_SKETCH, ["replace:295"] = MOD_SKETCH, ["update:411"] = MOD_SKETCH,
  ["fuzzy-search:178"] = "typo in the documentation: missing comma between array elements",
  ["whats-new-in-3-12:581"] = "query statistics output, not AQL",
  ["incompatible-changes-in-3-8:430"] = "documents that WINDOW became a keyword (this query fails since 3.8)",
}

local function parses(q) return (pcall(aql.parse, q)) end

local function strip_comments(q)
  return (q:gsub("//[^\n]*", ""):gsub("/%*.-%*/", ""))
end

local function is_query_or_expression(q)
  return parses(q) or parses("RETURN (" .. q .. ")")
end

local function is_fragment(q)
  return parses(q .. "\nRETURN 1") or parses("FOR doc IN [] " .. q .. "\nRETURN 1")
end

local function several(q)
  local n = 0
  for block in (strip_comments(q) .. "\n\n"):gmatch("(.-)\n%s*\n") do
    if block:match("%S") then
      n = n + 1
      if not (is_query_or_expression(block) or is_fragment(block)) then
        for l in block:gmatch("[^\n]+") do
          if l:match("%S") and not (is_query_or_expression(l) or is_fragment(l)) then return false end
        end
      end
    end
  end
  return n > 0
end

local function classify(s)
  local q = s.query
  if parses(q) then return "parsed" end
  if parses("RETURN (" .. q .. ")") then return "expression" end
  if is_fragment(q) then return "fragment" end
  if s.placeholder then return "placeholder" end
  if q:find("Execution plan", 1, true) or q:find("NodeType", 1, true) or q:find("Query String", 1, true) then
    return "explain output"
  end
  if q:find("\u{2026}", 1, true) or q:find("...", 1, true) or q:find("<[%w%-]+>") then return "elided" end
  if several(q) then return "several statements" end
  return "unparsed"
end

describe("AQL documentation snippets (parse only)", function()
  local snippets = read_jsonl(DATA .. "snippets.jsonl")
  if #snippets == 0 then
    pending("snippets.jsonl not found under " .. DATA)
    return
  end
  local counts, unparsed, known_now_parse = {}, {}, {}
  for _, s in ipairs(snippets) do
    local class = classify(s)
    counts[class] = (counts[class] or 0) + 1
    local id = id_of(s)
    if class == "unparsed" then
      unparsed[#unparsed + 1] = s
    elseif KNOWN[id] then
      known_now_parse[#known_now_parse + 1] = id
    end
  end

  for _, s in ipairs(unparsed) do
    local id = id_of(s)
    if KNOWN[id] then
      pending(id .. ": " .. KNOWN[id])
    else
      it("parses " .. id, function()
        local ok, err = pcall(aql.parse, s.query)
        assert(ok, type(err) == "table" and err.message or tostring(err))
      end)
    end
  end

  it("reports the parse count", function()
    local parts = {}
    for k, v in pairs(counts) do parts[#parts + 1] = k .. " " .. v end
    table.sort(parts)
    print(("\nAQL snippets: %d of %d parse as a query (%s)"):format(counts.parsed or 0, #snippets,
      table.concat(parts, ", ")))
    if #known_now_parse > 0 then
      print("  listed as unsupported but now accepted: " .. table.concat(known_now_parse, ", "))
    end
    -- every snippet is accounted for; most of them are whole queries
    assert.is_true((counts.parsed or 0) >= 700)
  end)

  it("parses the forms the snippets exposed", function()
    for _, q in ipairs({
      "LET c = false RETURN c AND (FILTER c RETURN 1)",
      "RETURN PUSH(FOR i IN 1..3 RETURN i, 4)",
      "FOR f IN \u{B4}filter\u{B4} RETURN f.\u{B4}sort\u{B4}",
      "RETURN (SORT 1 RETURN 2)",
    }) do
      assert(parses(q), q)
    end
    assert.same({ { 1, 2, 3, 4 } }, aql.query(nil, "RETURN PUSH(FOR i IN 1..3 RETURN i, 4)").result)
    assert.same({ false }, aql.query(nil, "LET c = false RETURN c AND (FILTER c RETURN 1)").result)
  end)
end)

-- Documentation errors: the documented value is wrong, ours is what ArangoDB computes.
local DOC_ERRORS = {
  ['BIT_FROM_STRING("100000000000000000000")'] = "2^20 is 1048576 (the docs say 1048756)",
  ["BIT_TO_STRING(60, 8)"] = "60 is 00111100 (the docs say 00011110)",
  ['DATE_FORMAT("2016-03-01", "%xxx%")'] = "2016-03-01 is day 061 of 2016 (the docs say 063)",
  ["COSINE_SIMILARITY([[0,1,0,1],[1,0,0,1],[1,1,1,0],[0,0,0,1]], [1,1,1,1])"] =
    "the docs round to three digits",
}

local function same(a, b)
  if type(a) == "number" and type(b) == "number" then
    return a == b or math.abs(a - b) <= 1e-12 * math.max(1, math.abs(a))
  end
  if type(a) ~= "table" or type(b) ~= "table" then return a == b end
  for k, v in pairs(a) do if not same(v, b[k]) then return false end end
  for k in pairs(b) do if a[k] == nil then return false end end
  return true
end

describe("documented results through the full engine", function()
  local recs = read_jsonl(DATA .. "documented-results.jsonl")
  local run = 0
  for _, rec in ipairs(recs) do
    if rec.self_contained and not rec.nondeterministic then
      run = run + 1
      local name = (rec.expression or rec.query):gsub("%s+", " ")
      if DOC_ERRORS[rec.expression] then
        pending(name .. ": " .. DOC_ERRORS[rec.expression])
      else
        it(name, function()
          local ok, r = pcall(aql.query, nil, rec.query)
          assert(ok, type(r) == "table" and tostring(r.message) or tostring(r))
          assert.is_true(same(r.result[1], rec.documented_result),
            "got " .. V.to_json(r.result[1]) .. ", documented " .. V.to_json(rec.documented_result))
        end)
      end
    end
  end
  it("runs most of them (" .. run .. " of " .. #recs .. ")", function()
    assert.is_true(run > 250)
  end)
end)
