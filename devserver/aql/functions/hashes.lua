-- Message digests for AQL's MD5/SHA1/SHA256/SHA512/CRC32/FNV64 (pure Lua 5.4, 64-bit integers).
-- Returned as lower-case hex (digests) like ArangoDB.
local M = {}

local spack, sunpack, srep = string.pack, string.unpack, string.rep

local function tohex(s)
  return (s:gsub(".", function(c) return string.format("%02x", c:byte()) end))
end
M.tohex = tohex

local function pad(msg, big_endian, lenbytes)
  local len = #msg
  local block = lenbytes == 16 and 128 or 64
  local zeros = (block - lenbytes - 1 - len) % block
  local tail
  if lenbytes == 16 then
    tail = spack(">I8I8", 0, len * 8)
  elseif big_endian then
    tail = spack(">I8", len * 8)
  else
    tail = spack("<I8", len * 8)
  end
  return msg .. "\128" .. srep("\0", zeros) .. tail
end

local function rol32(x, n)
  x = x & 0xffffffff
  return ((x << n) | (x >> (32 - n))) & 0xffffffff
end
local function ror32(x, n)
  return ((x >> n) | (x << (32 - n))) & 0xffffffff
end

-- MD5 ----------------------------------------------------------------------------------------
local md5_k, md5_s = {}, {
  7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22,
  5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20,
  4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23,
  6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21,
}
for i = 0, 63 do md5_k[i] = math.floor(math.abs(math.sin(i + 1)) * 2 ^ 32) & 0xffffffff end

function M.md5(msg)
  msg = pad(msg, false, 8)
  local a0, b0, c0, d0 = 0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476
  for off = 1, #msg, 64 do
    local w = { sunpack("<" .. srep("I4", 16), msg, off) }
    local a, b, c, d = a0, b0, c0, d0
    for i = 0, 63 do
      local f, g
      if i < 16 then f = (b & c) | (~b & d); g = i
      elseif i < 32 then f = (d & b) | (~d & c); g = (5 * i + 1) % 16
      elseif i < 48 then f = b ~ c ~ d; g = (3 * i + 5) % 16
      else f = c ~ (b | ~d); g = (7 * i) % 16 end
      f = (f + a + md5_k[i] + w[g + 1]) & 0xffffffff
      a, d, c = d, c, b
      b = (b + rol32(f, md5_s[i + 1])) & 0xffffffff
    end
    a0 = (a0 + a) & 0xffffffff; b0 = (b0 + b) & 0xffffffff
    c0 = (c0 + c) & 0xffffffff; d0 = (d0 + d) & 0xffffffff
  end
  return tohex(spack("<I4I4I4I4", a0, b0, c0, d0))
end

-- SHA-1 --------------------------------------------------------------------------------------
function M.sha1(msg)
  msg = pad(msg, true, 8)
  local h0, h1, h2, h3, h4 = 0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0
  for off = 1, #msg, 64 do
    local w = { sunpack(">" .. srep("I4", 16), msg, off) }
    for i = 17, 80 do w[i] = rol32(w[i - 3] ~ w[i - 8] ~ w[i - 14] ~ w[i - 16], 1) end
    local a, b, c, d, e = h0, h1, h2, h3, h4
    for i = 1, 80 do
      local f, k
      if i <= 20 then f = (b & c) | (~b & d); k = 0x5A827999
      elseif i <= 40 then f = b ~ c ~ d; k = 0x6ED9EBA1
      elseif i <= 60 then f = (b & c) | (b & d) | (c & d); k = 0x8F1BBCDC
      else f = b ~ c ~ d; k = 0xCA62C1D6 end
      local temp = (rol32(a, 5) + (f & 0xffffffff) + e + k + w[i]) & 0xffffffff
      e, d, c, b, a = d, c, rol32(b, 30), a, temp
    end
    h0 = (h0 + a) & 0xffffffff; h1 = (h1 + b) & 0xffffffff; h2 = (h2 + c) & 0xffffffff
    h3 = (h3 + d) & 0xffffffff; h4 = (h4 + e) & 0xffffffff
  end
  return tohex(spack(">I4I4I4I4I4", h0, h1, h2, h3, h4))
end

-- SHA-256 ------------------------------------------------------------------------------------
local k256 = {
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
}

function M.sha256(msg)
  msg = pad(msg, true, 8)
  local h = { 0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19 }
  for off = 1, #msg, 64 do
    local w = { sunpack(">" .. srep("I4", 16), msg, off) }
    for i = 17, 64 do
      local s0 = ror32(w[i - 15], 7) ~ ror32(w[i - 15], 18) ~ (w[i - 15] >> 3)
      local s1 = ror32(w[i - 2], 17) ~ ror32(w[i - 2], 19) ~ (w[i - 2] >> 10)
      w[i] = (w[i - 16] + s0 + w[i - 7] + s1) & 0xffffffff
    end
    local a, b, c, d, e, f, g, hh = h[1], h[2], h[3], h[4], h[5], h[6], h[7], h[8]
    for i = 1, 64 do
      local S1 = ror32(e, 6) ~ ror32(e, 11) ~ ror32(e, 25)
      local ch = (e & f) ~ (~e & g)
      local t1 = (hh + S1 + (ch & 0xffffffff) + k256[i] + w[i]) & 0xffffffff
      local S0 = ror32(a, 2) ~ ror32(a, 13) ~ ror32(a, 22)
      local maj = (a & b) ~ (a & c) ~ (b & c)
      local t2 = (S0 + maj) & 0xffffffff
      hh, g, f, e, d, c, b, a = g, f, e, (d + t1) & 0xffffffff, c, b, a, (t1 + t2) & 0xffffffff
    end
    h[1] = (h[1] + a) & 0xffffffff; h[2] = (h[2] + b) & 0xffffffff
    h[3] = (h[3] + c) & 0xffffffff; h[4] = (h[4] + d) & 0xffffffff
    h[5] = (h[5] + e) & 0xffffffff; h[6] = (h[6] + f) & 0xffffffff
    h[7] = (h[7] + g) & 0xffffffff; h[8] = (h[8] + hh) & 0xffffffff
  end
  return tohex(spack(">" .. srep("I4", 8), table.unpack(h)))
end

-- SHA-512 (64-bit wrap-around arithmetic is native in Lua 5.4) -----------------------------
local k512 = {
  0x428a2f98d728ae22, 0x7137449123ef65cd, -0x4a3f043013b2c4d1, -0x164a245a7e762444,
  0x3956c25bf348b538, 0x59f111f1b605d019, -0x6dc07d5b50e6b065, -0x54e3a12a25927ee8,
  -0x27f855675cfcfdbe, 0x12835b0145706fbe, 0x243185be4ee4b28c, 0x550c7dc3d5ffb4e2,
  0x72be5d74f27b896f, -0x7f214e01c4e9694f, -0x6423f958da38edcb, -0x3e640e8b3096d96c,
  -0x1b64963e610eb52e, -0x1041b879c7b0da1d, 0x0fc19dc68b8cd5b5, 0x240ca1cc77ac9c65,
  0x2de92c6f592b0275, 0x4a7484aa6ea6e483, 0x5cb0a9dcbd41fbd4, 0x76f988da831153b5,
  -0x67c1aead11992055, -0x57ce3992d24bcdf0, -0x4ffcd8376704dec1, -0x40a680384110f11c,
  -0x391ff40cc257703e, -0x2a586eb86cf558db, 0x06ca6351e003826f, 0x142929670a0e6e70,
  0x27b70a8546d22ffc, 0x2e1b21385c26c926, 0x4d2c6dfc5ac42aed, 0x53380d139d95b3df,
  0x650a73548baf63de, 0x766a0abb3c77b2a8, -0x7e3d36d1b812511a, -0x6d8dd37aeb7dcac5,
  -0x5d40175eb30efc9c, -0x57e599b443bdcfff, -0x3db4748f2f07686f, -0x3893ae5cf9ab41d0,
  -0x2e6d17e62910ade8, -0x2966f9dbaa9a56f0, -0x0bf1ca7aa88edfd6, 0x106aa07032bbd1b8,
  0x19a4c116b8d2d0c8, 0x1e376c085141ab53, 0x2748774cdf8eeb99, 0x34b0bcb5e19b48a8,
  0x391c0cb3c5c95a63, 0x4ed8aa4ae3418acb, 0x5b9cca4f7763e373, 0x682e6ff3d6b2b8a3,
  0x748f82ee5defb2fc, 0x78a5636f43172f60, -0x7b3787eb5e0f548e, -0x7338fdf7e59bc614,
  -0x6f410005dc9ce1d8, -0x5baf9314217d4217, -0x41065c084d3986eb, -0x398e870d1c8dacd5,
  -0x35d8c13115d99e64, -0x2e794738de3f3df9, -0x15258229321f14e2, -0x0a82b08011912e88,
  0x06f067aa72176fba, 0x0a637dc5a2c898a6, 0x113f9804bef90dae, 0x1b710b35131c471b,
  0x28db77f523047d84, 0x32caab7b40c72493, 0x3c9ebe0a15c9bebc, 0x431d67c49c100d4c,
  0x4cc5d4becb3e42b6, 0x597f299cfc657e2a, 0x5fcb6fab3ad6faec, 0x6c44198c4a475817,
}

local function ror64(x, n) return (x >> n) | (x << (64 - n)) end

function M.sha512(msg)
  msg = pad(msg, true, 16)
  local h = {
    0x6a09e667f3bcc908, -0x4498517a7b3558c5, 0x3c6ef372fe94f82b, -0x5ab00ac5a0e2c90f,
    0x510e527fade682d1, -0x64fa9773d4c193e1, 0x1f83d9abfb41bd6b, 0x5be0cd19137e2179,
  }
  for off = 1, #msg, 128 do
    local w = { sunpack(">" .. srep("i8", 16), msg, off) }
    for i = 17, 80 do
      local x, y = w[i - 15], w[i - 2]
      local s0 = ror64(x, 1) ~ ror64(x, 8) ~ (x >> 7)
      local s1 = ror64(y, 19) ~ ror64(y, 61) ~ (y >> 6)
      w[i] = w[i - 16] + s0 + w[i - 7] + s1
    end
    local a, b, c, d, e, f, g, hh = table.unpack(h)
    for i = 1, 80 do
      local S1 = ror64(e, 14) ~ ror64(e, 18) ~ ror64(e, 41)
      local ch = (e & f) ~ (~e & g)
      local t1 = hh + S1 + ch + k512[i] + w[i]
      local S0 = ror64(a, 28) ~ ror64(a, 34) ~ ror64(a, 39)
      local maj = (a & b) ~ (a & c) ~ (b & c)
      hh, g, f, e, d, c, b, a = g, f, e, d + t1, c, b, a, t1 + S0 + maj
    end
    h[1] = h[1] + a; h[2] = h[2] + b; h[3] = h[3] + c; h[4] = h[4] + d
    h[5] = h[5] + e; h[6] = h[6] + f; h[7] = h[7] + g; h[8] = h[8] + hh
  end
  return tohex(spack(">" .. srep("i8", 8), table.unpack(h)))
end

-- CRC-32C (Castagnoli, reflected polynomial 0x82F63B78) ---------------------------------------
local crc_table = {}
for i = 0, 255 do
  local c = i
  for _ = 1, 8 do
    if c & 1 == 1 then c = (c >> 1) ~ 0x82F63B78 else c = c >> 1 end
  end
  crc_table[i] = c
end

function M.crc32c(s)
  local crc = 0xFFFFFFFF
  for i = 1, #s do
    crc = crc_table[(crc ~ s:byte(i)) & 0xff] ~ (crc >> 8)
  end
  return crc ~ 0xFFFFFFFF
end

-- FNV-1a 64 ----------------------------------------------------------------------------------
function M.fnv64(s)
  local h = -3750763034362895579 -- 0xcbf29ce484222325
  for i = 1, #s do
    h = (h ~ s:byte(i)) * 0x100000001b3
  end
  return h
end

return M
