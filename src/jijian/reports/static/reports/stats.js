// 月报统计：按月趋势图（ECharts，本地静态文件）。数据来自页面中的 <script type="application/json" id="trend-data">。
(function () {
  "use strict";
  function draw() {
    var holder = document.getElementById("trend-chart");
    var source = document.getElementById("trend-data");
    if (!holder || !source || typeof window.echarts === "undefined") return;
    var data = JSON.parse(source.textContent);
    var names = { expected: gettext("应报"), submitted: gettext("已报"), on_time: gettext("按时"), late: gettext("逾期") };
    var chart = window.echarts.init(holder, null, { renderer: "svg" });
    chart.setOption({
      tooltip: { trigger: "axis" },
      legend: { data: Object.keys(names).map(function (k) { return names[k]; }), bottom: 0 },
      grid: { left: 40, right: 12, top: 16, bottom: 48 },
      xAxis: { type: "category", data: data.months },
      yAxis: { type: "value", minInterval: 1 },
      series: Object.keys(names).map(function (key) {
        return { name: names[key], type: key === "expected" ? "line" : "bar", data: data.series[key] };
      })
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }
  // Rankings: every row is listed; a column's button sorts by it (again: the other way round).
  function sortable() {
    Array.prototype.forEach.call(document.querySelectorAll("table[data-sortable]"), function (table) {
      var body = table.tBodies[0];
      table.addEventListener("click", function (event) {
        var button = event.target.closest("button.sort");
        if (!button) return;
        var th = button.parentNode;
        var key = Number(button.getAttribute("data-key"));
        var text = button.hasAttribute("data-text");
        var ascending = th.getAttribute("aria-sort") !== "ascending";
        Array.prototype.forEach.call(table.tHead.rows[0].cells, function (cell) { cell.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = a.cells[key].textContent.trim(), y = b.cells[key].textContent.trim();
          var order = text ? x.localeCompare(y, "zh-CN") : Number(x) - Number(y);
          if (order === 0) order = Number(a.cells[0].textContent) - Number(b.cells[0].textContent);
          return ascending ? order : -order;
        });
        rows.forEach(function (row) { body.appendChild(row); });
      });
    });
  }
  function start() { draw(); sortable(); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
