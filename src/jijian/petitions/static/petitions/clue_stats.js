// 问题线索统计：按月登记件数（柱状）和处置方式（饼图）。ECharts 为本地静态文件；数据来自页面中的
// <script type="application/json" id="clue-chart-data">。
(function () {
  "use strict";
  function draw() {
    var holder = document.getElementById("clue-chart");
    var source = document.getElementById("clue-chart-data");
    if (!holder || !source || typeof window.echarts === "undefined") return;
    var data = JSON.parse(source.textContent);
    var chart = window.echarts.init(holder, null, { renderer: "svg" });
    var narrow = holder.clientWidth < 520;
    var pie = data.disposal.length > 0;  // no disposal approved in the period: the bars only
    if (!pie) holder.classList.add("bars-only");
    var series = [{ name: gettext("登记线索"), type: "bar", data: data.counts }];
    if (pie) {
      series.push({
        name: gettext("处置方式"), type: "pie", radius: narrow ? ["0", "26%"] : ["0", "30%"],
        center: narrow ? ["50%", "80%"] : ["78%", "50%"],
        label: { formatter: gettext("{b}：{c}") }, data: data.disposal
      });
    }
    var grid = { left: 40, right: 12, top: 16, bottom: 32 };
    if (pie) grid = narrow ? { left: 36, right: 8, top: 16, bottom: 200 } : { left: 40, right: "45%", top: 16, bottom: 32 };
    chart.setOption({
      tooltip: { trigger: "item" },
      grid: grid,
      xAxis: { type: "category", data: data.months },
      yAxis: { type: "value", minInterval: 1 },
      series: series
    });
    chart.resize();
    window.addEventListener("resize", function () { chart.resize(); });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw);
  else draw();
})();
