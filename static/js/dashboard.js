/* Draws every chart of the dashboard from the JSON the page carries (no inline script: CSP).
   Wall-screen mode (大屏, body.wall) uses the dark theme and reloads itself every five minutes. */
(function () {
  "use strict";
  var source = document.getElementById("chart-data");
  if (!source || typeof echarts === "undefined") { return; }
  var options = JSON.parse(source.textContent || "{}");
  var wall = document.body.classList.contains("wall");
  var charts = [];
  document.querySelectorAll("[data-chart]").forEach(function (el) {
    var option = options[el.getAttribute("data-chart")];
    if (!option) { return; }
    var chart = echarts.init(el, wall ? "dark" : null, { renderer: "canvas" });
    var base = { animation: false, grid: { containLabel: true, left: 8, right: 8, top: 40, bottom: 8 } };
    if (wall) { base.backgroundColor = "transparent"; base.textStyle = { fontSize: 16 }; }
    chart.setOption(Object.assign(base, option));
    el.setAttribute("data-rendered", "1");
    charts.push(chart);
  });
  var pending = null;
  window.addEventListener("resize", function () {
    if (pending) { window.clearTimeout(pending); }
    pending = window.setTimeout(function () { charts.forEach(function (c) { c.resize(); }); }, 150);
  });
  if (wall) {
    window.setTimeout(function () { window.location.reload(); }, 5 * 60 * 1000);
  }
})();
