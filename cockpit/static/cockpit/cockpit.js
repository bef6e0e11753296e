/* 驾驶舱: filter behaviour and ECharts trends. No inline scripts (strict CSP): data arrives through json_script. */
(function () {
  "use strict";

  function showPeriodFields(form) {
    var kind = form.querySelector("#filter-period").value || "ytd";
    form.querySelectorAll("[data-period]").forEach(function (el) {
      var kinds = el.getAttribute("data-period").split(" ");
      el.classList.toggle("d-none", kinds.indexOf(kind) < 0);
    });
  }

  function initFilter() {
    var form = document.getElementById("cockpit-filter");
    if (!form) { return; }
    showPeriodFields(form);
    form.addEventListener("change", function (event) {
      if (event.target.id === "filter-period") { showPeriodFields(form); }
      if (event.target.tagName === "SELECT" && event.target.id !== "filter-period") {
        form.requestSubmit();
      }
    });
  }

  function renderCharts(root) {
    if (typeof echarts === "undefined") { return; }
    root.querySelectorAll(".cockpit-chart[data-chart-id]").forEach(function (el) {
      var source = document.getElementById(el.getAttribute("data-chart-id"));
      if (!source || el.getAttribute("data-rendered")) { return; }
      var data = JSON.parse(source.textContent);
      var chart = echarts.init(el);
      chart.setOption({
        tooltip: { trigger: "axis" },
        legend: { type: "scroll", top: 0 },
        grid: { left: 50, right: 20, top: 40, bottom: 30 },
        xAxis: { type: "category", data: data.labels },
        yAxis: { type: "value" },
        series: data.series.map(function (s) {
          return { name: s.name, type: s.type || "line", data: s.data, smooth: true, lineStyle: s.dashed ? { type: "dashed" } : undefined };
        })
      });
      el.setAttribute("data-rendered", "1");
      window.addEventListener("resize", function () { chart.resize(); });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    initFilter();
    renderCharts(document);
  });
  document.body.addEventListener("htmx:afterSwap", function (event) { renderCharts(event.target); });
})();
