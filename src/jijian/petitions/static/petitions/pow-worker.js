// The proof of work of the public report form (petitions/pow.py), off the main thread: find a
// decimal nonce such that SHA-256(challenge + nonce) starts with `bits` zero bits. Started by
// pow.js when the page loads, so the page stays responsive while the reporter types. Posts
// {hashes} now and then for the progress bar, then {nonce, hashes} once found.
//
// SHA-256 is computed here in plain JavaScript rather than with crypto.subtle: the challenge's
// whole 64-byte blocks are hashed once (the "midstate") and only the last block or two, which
// hold the nonce, per attempt — many times faster than one asynchronous digest per attempt.
"use strict";

var K = new Int32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);
var INITIAL = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];
var W = new Int32Array(64);

// One compression of the 64 bytes at `offset` of `bytes` into `state` (8 Int32).
function compress(state, bytes, offset) {
  var i, s0, s1, t1, t2;
  for (i = 0; i < 16; i++) {
    var j = offset + i * 4;
    W[i] = (bytes[j] << 24) | (bytes[j + 1] << 16) | (bytes[j + 2] << 8) | bytes[j + 3];
  }
  for (i = 16; i < 64; i++) {
    var a = W[i - 15], b = W[i - 2];
    s0 = ((a >>> 7) | (a << 25)) ^ ((a >>> 18) | (a << 14)) ^ (a >>> 3);
    s1 = ((b >>> 17) | (b << 15)) ^ ((b >>> 19) | (b << 13)) ^ (b >>> 10);
    W[i] = (W[i - 16] + s0 + W[i - 7] + s1) | 0;
  }
  var h0 = state[0], h1 = state[1], h2 = state[2], h3 = state[3];
  var h4 = state[4], h5 = state[5], h6 = state[6], h7 = state[7];
  for (i = 0; i < 64; i++) {
    s1 = ((h4 >>> 6) | (h4 << 26)) ^ ((h4 >>> 11) | (h4 << 21)) ^ ((h4 >>> 25) | (h4 << 7));
    t1 = (h7 + s1 + ((h4 & h5) ^ (~h4 & h6)) + K[i] + W[i]) | 0;
    s0 = ((h0 >>> 2) | (h0 << 30)) ^ ((h0 >>> 13) | (h0 << 19)) ^ ((h0 >>> 22) | (h0 << 10));
    t2 = (s0 + ((h0 & h1) ^ (h0 & h2) ^ (h1 & h2))) | 0;
    h7 = h6; h6 = h5; h5 = h4; h4 = (h3 + t1) | 0;
    h3 = h2; h2 = h1; h1 = h0; h0 = (t1 + t2) | 0;
  }
  state[0] = (state[0] + h0) | 0; state[1] = (state[1] + h1) | 0;
  state[2] = (state[2] + h2) | 0; state[3] = (state[3] + h3) | 0;
  state[4] = (state[4] + h4) | 0; state[5] = (state[5] + h5) | 0;
  state[6] = (state[6] + h6) | 0; state[7] = (state[7] + h7) | 0;
}

function leadingZeroBits(word0, word1) {
  if (word0 !== 0) return Math.clz32(word0);
  return 32 + Math.clz32(word1);
}

self.onmessage = function (event) {
  var prefix = new TextEncoder().encode(event.data.challenge);
  var bits = event.data.bits;
  var whole = prefix.length - (prefix.length % 64);
  var midstate = new Int32Array(INITIAL);
  for (var offset = 0; offset < whole; offset += 64) compress(midstate, prefix, offset);
  var rest = prefix.length - whole;
  var tail = new Uint8Array(128); // the last block or two: rest of the prefix, nonce, padding
  tail.set(prefix.subarray(whole));
  var state = new Int32Array(8);
  var reported = Date.now();
  for (var nonce = 0; ; nonce++) {
    var digits = String(nonce);
    var length = rest + digits.length;
    for (var d = 0; d < digits.length; d++) tail[rest + d] = digits.charCodeAt(d);
    var blocks = length + 9 <= 64 ? 1 : 2;
    var end = blocks * 64;
    tail.fill(0, length, end);
    tail[length] = 0x80;
    var bitLength = (prefix.length + digits.length) * 8;
    tail[end - 4] = (bitLength >>> 24) & 0xff;
    tail[end - 3] = (bitLength >>> 16) & 0xff;
    tail[end - 2] = (bitLength >>> 8) & 0xff;
    tail[end - 1] = bitLength & 0xff;
    state.set(midstate);
    compress(state, tail, 0);
    if (blocks === 2) compress(state, tail, 64);
    if (leadingZeroBits(state[0], state[1]) >= bits) {
      self.postMessage({ nonce: digits, hashes: nonce + 1 });
      return;
    }
    if ((nonce & 0xfff) === 0 && Date.now() - reported > 150) {
      reported = Date.now();
      self.postMessage({ hashes: nonce + 1 });
    }
  }
};
