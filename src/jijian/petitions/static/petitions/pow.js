// Proof of work for the public report form and, under the receipt brake, the lookup form
// (petitions/intake/pow.py). The work runs in a Web Worker
// (pow-worker.js) started when the page loads, so it is usually done while the reporter is still
// typing and the page never freezes; a progress bar shows how far it is. A form sent back with an
// error carries a solved token instead (data-pow-solved): nothing to compute again. Without Worker
// support the same search runs here, in batches. Needs a secure context (HTTPS or localhost) for
// crypto.subtle.
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

  async function solveHere(challenge, bits, progress) {
    var encoder = new TextEncoder();
    var batch = 256;
    for (var start = 0; ; start += batch) {
      var jobs = [];
      for (var n = start; n < start + batch; n++) {
        jobs.push(crypto.subtle.digest("SHA-256", encoder.encode(challenge + n)));
      }
      var digests = await Promise.all(jobs);
      for (var k = 0; k < digests.length; k++) {
        if (leadingZeroBits(new Uint8Array(digests[k])) >= bits) return String(start + k);
      }
      progress(start + batch);
    }
  }

  function solve(form, progress) {
    var challenge = form.dataset.powChallenge;
    var bits = parseInt(form.dataset.powBits, 10);
    if (!window.Worker || !form.dataset.powWorker) return solveHere(challenge, bits, progress);
    return new Promise(function (resolve, reject) {
      var worker;
      try {
        worker = new Worker(form.dataset.powWorker);
      } catch (error) {
        solveHere(challenge, bits, progress).then(resolve, reject);
        return;
      }
      worker.onmessage = function (event) {
        progress(event.data.hashes);
        if (event.data.nonce !== undefined) {
          worker.terminate();
          resolve(event.data.nonce);
        }
      };
      worker.onerror = function (event) {
        event.preventDefault();
        worker.terminate();
        solveHere(challenge, bits, progress).then(resolve, reject);
      };
      worker.postMessage({ challenge: challenge, bits: bits });
    });
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
    var powBox = document.getElementById("pow-box");
    if (powBox) powBox.hidden = false;
    var status = document.getElementById("pow-status");
    var bar = document.getElementById("pow-progress");
    var nonceInput = document.getElementById("pow-nonce");
    // A lookup sent back under the receipt brake (throttle.py) carries its code: send it again once solved.
    var wantSubmit = form.dataset.powAutosubmit === "1";
    var done = false;

    form.addEventListener("change", function () { toggleRealName(form); });
    toggleRealName(form);

    function finished(text) {
      done = true;
      if (bar) { bar.value = 100; bar.hidden = true; }
      status.textContent = text;
    }

    if (form.dataset.powSolved) {
      finished(gettext("防刷验证已完成"));
      return;
    }
    if (!window.crypto || !crypto.subtle) {
      status.textContent = gettext("当前浏览器不支持防刷验证（需要 HTTPS 访问），请更换浏览器或拨打 12388 举报。");
      return;
    }
    var expected = Math.pow(2, parseInt(form.dataset.powBits, 10));
    function progress(hashes) {
      if (done) return;
      // The chance that the work would be done by now: an honest estimate, never 100% too early.
      var percent = Math.min(99, Math.round(100 * (1 - Math.exp(-hashes / expected))));
      if (bar) bar.value = percent;
      status.textContent = interpolate(wantSubmit ? gettext("正在进行防刷验证，完成后自动提交… %(percent)s%") : gettext("正在进行防刷验证… %(percent)s%"), { percent: percent }, true);
    }
    var started = Date.now();
    solve(form, progress).then(function (nonce) {
      nonceInput.value = nonce;
      finished(interpolate(gettext("防刷验证已完成（%(seconds)s 秒）"), { seconds: ((Date.now() - started) / 1000).toFixed(1) }, true));
      if (wantSubmit) form.submit();
    });

    form.addEventListener("submit", function (event) {
      if (done) return;
      event.preventDefault();
      wantSubmit = true;
      status.textContent = gettext("正在进行防刷验证，完成后自动提交，请稍候…");
      document.getElementById("petition-submit").disabled = true;
    });
  });
})();
