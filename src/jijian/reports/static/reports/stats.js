// 月报统计：按月趋势图（ECharts，本地静态文件）。数据来自页面中的 <script type="application/json" id="trend-data">。
(function () {
  "use strict";
  function draw() {
    var holder = document.getElementById("trend-chart");
    var source = document.getElementById("trend-data");
    if (!holder || !source || typeof window.echarts === "undefined") return;
    var data = JSON.parse(source.textContent);
    var names = { expected: "应报", submitted: "已报", on_time: "按时", late: "逾期" };
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
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw);
  else draw();
})();
