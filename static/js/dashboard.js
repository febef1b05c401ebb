/* Draws every chart of the dashboard from the JSON the page carries (no inline script: CSP). */
(function () {
  "use strict";
  var source = document.getElementById("chart-data");
  if (!source || typeof echarts === "undefined") { return; }
  var options = JSON.parse(source.textContent);
  var charts = [];
  document.querySelectorAll("[data-chart]").forEach(function (el) {
    var option = options[el.getAttribute("data-chart")];
    if (!option) { return; }
    var chart = echarts.init(el, null, { renderer: "canvas" });
    chart.setOption(Object.assign({ animation: false, grid: { containLabel: true, left: 8, right: 8, top: 40, bottom: 8 } }, option));
    el.setAttribute("data-rendered", "1");
    charts.push(chart);
  });
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
})();
