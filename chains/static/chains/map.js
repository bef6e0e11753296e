/* The chain map: an ECharts tree of the chain's links coloured by gap status; a click opens the link panel (htmx). */
(function () {
  "use strict";
  var dataNode = document.getElementById("chain-map-data");
  var box = document.getElementById("chain-map");
  if (!dataNode || !box || typeof echarts === "undefined") { return; }
  var data = JSON.parse(dataNode.textContent);
  var panelUrl = JSON.parse(document.getElementById("chain-map-panel-url").textContent);

  function urlFor(linkId) { return panelUrl.replace(/\/0\/$/, "/" + linkId + "/"); }

  var nodes = {};
  var roots = [];
  data.links.forEach(function (link) {
    nodes[link.id] = {
      name: link.name + "（" + link.firms + "）",
      linkId: link.id,
      link: link,
      itemStyle: { color: link.color, borderColor: link.color },
      label: { color: "#222" },
      children: []
    };
  });
  data.links.forEach(function (link) {
    var node = nodes[link.id];
    if (link.parent_id && nodes[link.parent_id]) { nodes[link.parent_id].children.push(node); } else { roots.push(node); }
  });
  var tree = { name: data.chain.name + "产业链", children: roots, itemStyle: { color: "#b71c1c" }, label: { fontWeight: "bold" } };

  function tooltip(params) {
    var link = params.data.link;
    if (!link) { return params.name; }
    var lines = [
      "<strong>" + echarts.format.encodeHTML(link.name) + "</strong>（" + link.stage_label + "·" + link.function_label + (link.is_key ? "·关键" : "") + "）",
      "企业 " + link.firms + " 家，规上 " + link.above_scale + " 家，龙头 " + link.leading + " 家",
      "营业收入 " + (link.revenue_wan === null ? "—" : link.revenue_wan + " 万元"),
      "状态：" + link.status_label
    ];
    link.findings.forEach(function (f) { lines.push("· " + echarts.format.encodeHTML(f.message)); });
    return lines.join("<br>");
  }

  var chart = echarts.init(box, null, { renderer: "canvas" });
  chart.setOption({
    toolbox: { feature: { saveAsImage: { title: "保存为图片", name: data.chain.name + "产业链图谱", pixelRatio: 2 } } },
    tooltip: { trigger: "item", formatter: tooltip },
    series: [{
      type: "tree",
      data: [tree],
      top: "3%", left: "12%", bottom: "3%", right: "28%",
      symbol: "circle",
      symbolSize: 16,
      initialTreeDepth: -1,
      expandAndCollapse: false,
      label: { position: "left", verticalAlign: "middle", align: "right", fontSize: 13 },
      leaves: { label: { position: "right", verticalAlign: "middle", align: "left" } },
      lineStyle: { color: "#bbb" }
    }]
  });
  chart.on("click", function (params) {
    if (params.data && params.data.linkId && window.htmx) {
      window.htmx.ajax("GET", urlFor(params.data.linkId), { target: "#link-panel", swap: "innerHTML" });
    }
  });
  window.addEventListener("resize", function () { chart.resize(); });
}());
