// Progress of an Excel export: asks the status URL every 2 s and shows rows done / total; when the
// file is ready, shows the download button. Without this file the page has a "refresh" link.
(function () {
  "use strict";
  var box = document.getElementById("export");
  if (!box) { return; }
  var url = box.getAttribute("data-status-url");
  var bar = document.getElementById("export-bar");
  var text = document.getElementById("export-text");
  var download = document.getElementById("export-download");
  var refresh = document.getElementById("export-refresh");
  var failures = 0;
  var signedOut = false;

  function show(s) {
    bar.value = s.percent;
    bar.textContent = s.percent + "%";
    if (s.state === "done") {
      text.textContent = interpolate(gettext("已完成，共%(total)s份月报。"), s, true);
      download.hidden = false;
      refresh.hidden = true;
      return true;
    }
    if (s.state === "failed") {
      text.textContent = s.error || gettext("导出失败，请重新导出");
      refresh.hidden = true;
      return true;
    }
    text.textContent = interpolate(gettext("正在导出：已写入%(done)s份，共%(total)s份（%(percent)s%）。"), s, true);
    return false;
  }

  function poll() {
    // X-Jijian-Background: polling is not the user's activity, so it does not hold off the idle timeout.
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json", "X-Jijian-Background": "1" } })
      .then(function (r) {
        // A session that ended (idle, or signed in elsewhere) is answered with the sign-in page.
        if (r.redirected || r.status === 401) { signedOut = true; throw new Error("signed out"); }
        if (!r.ok) { throw new Error(String(r.status)); }
        return r.json();
      })
      .then(function (s) {
        failures = 0;
        if (!show(s)) { window.setTimeout(poll, 2000); }
      })
      .catch(function () {
        if (signedOut) { text.textContent = gettext("登录已超时，请重新登录后查看导出进度。"); return; }
        failures += 1;
        if (failures < 5) { window.setTimeout(poll, 2000 * failures); }
        else { text.textContent = gettext("网络不稳定，请点“刷新查看进度”。"); }
      });
  }

  if (download.hidden && refresh.hidden === false) { window.setTimeout(poll, 2000); }
})();
