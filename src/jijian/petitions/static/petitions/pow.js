// Proof of work for the public report form (petitions/pow.py): find a decimal nonce such that
// SHA-256(challenge + nonce) starts with `bits` zero bits, then allow the submission. Starts at page
// load, so the work is usually done while the reporter is still typing. Needs a secure context
// (HTTPS or localhost) for crypto.subtle.
(function () {
  "use strict";

  function leadingZeroBits(bytes) {
    var bits = 0;
    for (var i = 0; i < bytes.length; i++) {
      var b = bytes[i];
      if (b === 0) { bits += 8; continue; }
      while ((b & 0x80) === 0) { bits += 1; b <<= 1; }
      break;
    }
    return bits;
  }

  async function solve(challenge, bits) {
    var encoder = new TextEncoder();
    var batch = 256; // parallel digests per round: hides the per-call latency of crypto.subtle
    for (var start = 0; ; start += batch) {
      var jobs = [];
      for (var n = start; n < start + batch; n++) {
        jobs.push(crypto.subtle.digest("SHA-256", encoder.encode(challenge + n)));
      }
      var digests = await Promise.all(jobs);
      for (var k = 0; k < digests.length; k++) {
        if (leadingZeroBits(new Uint8Array(digests[k])) >= bits) return String(start + k);
      }
    }
  }

  function toggleRealName(form) {
    var box = document.getElementById("real-name");
    if (!box) return;
    var checked = form.querySelector('input[name="is_anonymous"]:checked');
    box.hidden = !checked || checked.value === "1";
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("petition-form");
    if (!form) return;
    var status = document.getElementById("pow-status");
    var nonceInput = document.getElementById("pow-nonce");
    var wantSubmit = false;
    var done = false;

    form.addEventListener("change", function () { toggleRealName(form); });
    toggleRealName(form);

    if (!window.crypto || !crypto.subtle) {
      status.textContent = "当前浏览器不支持防刷验证（需要 HTTPS 访问），请更换浏览器或拨打 12388 举报。";
      return;
    }
    var started = Date.now();
    solve(form.dataset.powChallenge, parseInt(form.dataset.powBits, 10)).then(function (nonce) {
      nonceInput.value = nonce;
      done = true;
      status.textContent = "防刷验证已完成（" + ((Date.now() - started) / 1000).toFixed(1) + " 秒）";
      if (wantSubmit) form.submit();
    });

    form.addEventListener("submit", function (event) {
      if (done) return;
      event.preventDefault();
      wantSubmit = true;
      status.textContent = "正在进行防刷验证，完成后自动提交，请稍候…";
      document.getElementById("petition-submit").disabled = true;
    });
  });
})();
