// The duty manual offline: register the manual's service worker (scope /manual/), which keeps a copy
// of every manual page this browser opened, so it opens again without a connection (a village with
// no signal). And a print button where printing is offered.
(function () {
  var me = document.getElementById("manual-offline");
  if (me && "serviceWorker" in navigator) {
    navigator.serviceWorker.register(me.dataset.sw, { scope: me.dataset.scope }).then(function (reg) {
      // The first page opened before the worker took over is not yet cached: hand it over now.
      var send = function (worker) { if (worker) { worker.postMessage({ cache: location.href }); } };
      send(reg.active);
      if (!reg.active) {
        var w = reg.installing || reg.waiting;
        if (w) { w.addEventListener("statechange", function () { if (w.state === "activated") { send(w); } }); }
      }
    }).catch(function () { /* no service worker (private mode, http): the manual still works online */ });
  }
  document.querySelectorAll(".print-button").forEach(function (b) {
    b.hidden = false;
    b.addEventListener("click", function () { window.print(); });
  });
})();
