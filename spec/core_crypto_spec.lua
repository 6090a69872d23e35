-- arango.core crypto, base64 and gzip helpers, checked against published test vectors.
local core = require "arango.core"

local function hex(s)
  return (s:gsub(".", function(ch) return string.format("%02x", ch:byte()) end))
end

describe("arango.core helpers", function()
  it("sha256 matches the FIPS 180-2 vectors", function()
    assert.equal("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", hex(core.sha256("")))
    assert.equal("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", hex(core.sha256("abc")))
    assert.equal(32, #core.sha256(string.rep("a", 100000)))
  end)

  it("hmac_sha256 matches RFC 4231 test case 2", function()
    assert.equal("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
      hex(core.hmac_sha256("Jefe", "what do ya want for nothing?")))
  end)

  it("base64 encodes and decodes (RFC 4648 vectors)", function()
    local vectors = { [""] = "", f = "Zg==", fo = "Zm8=", foo = "Zm9v", foob = "Zm9vYg==",
                      fooba = "Zm9vYmE=", foobar = "Zm9vYmFy" }
    for plain, encoded in pairs(vectors) do
      assert.equal(encoded, core.base64_encode(plain))
      assert.equal(plain, core.base64_decode(encoded))
    end
    local all = {}
    for i = 0, 255 do all[#all + 1] = string.char(i) end
    all = table.concat(all)
    assert.equal(all, core.base64_decode(core.base64_encode(all)))
  end)

  it("base64_decode returns nil on bad input", function()
    assert.is_nil(core.base64_decode("Zm9v!"))
    assert.is_nil(core.base64_decode("Zg="))
    assert.is_nil(core.base64_decode("Z"))
    assert.is_nil(core.base64_decode("Zh=="))      -- stray bits in the last symbol
    assert.is_nil(core.base64_decode("Zm 9v"))
    assert.is_nil(core.base64_decode("-_-_"))      -- url alphabet is not standard base64
  end)

  it("base64url uses the url alphabet without padding", function()
    local s = "\251\255\191"
    assert.equal("+/+/", core.base64_encode(s))
    assert.equal("-_-_", core.base64url_encode(s))
    assert.equal(s, core.base64url_decode("-_-_"))
    assert.equal("Zg", core.base64url_encode("f"))
    assert.equal("f", core.base64url_decode("Zg"))
    assert.equal("f", core.base64url_decode("Zg=="))
    assert.is_nil(core.base64url_decode("+/+/"))
    assert.is_nil(core.base64url_decode("Z"))
  end)

  it("random_bytes returns n bytes that differ between calls", function()
    assert.equal(0, #core.random_bytes(0))
    local a, b = core.random_bytes(32), core.random_bytes(32)
    assert.equal(32, #a)
    assert.not_equal(a, b)
    assert.has_error(function() core.random_bytes(-1) end)
  end)

  it("gzip and gunzip round-trip, gunzip rejects bad input", function()
    local text = string.rep("The quick brown fox. ", 1000)
    local z = core.gzip(text)
    assert.equal("\31\139", z:sub(1, 2)) -- gzip magic
    assert.is_true(#z < #text)
    assert.equal(text, core.gunzip(z))
    assert.equal("", core.gunzip(core.gzip("")))
    local nothing, err = core.gunzip("definitely not gzip")
    assert.is_nil(nothing)
    assert.is_string(err)
    assert.is_nil(core.gunzip(z:sub(1, #z - 10))) -- truncated
    assert.is_nil(core.gunzip(z, 100))             -- larger than the cap
  end)

  it("raises on wrong argument types", function()
    assert.has_error(function() core.sha256() end)
    assert.has_error(function() core.hmac_sha256("k") end)
    assert.has_error(function() core.base64_encode({}) end)
  end)
end)
