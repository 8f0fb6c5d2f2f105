/* Draws each dashboard chart with ECharts from the JSON the page embeds next to it (json_script).
   Every text on a chart (names, stages, series) comes translated from the server. */
(function () {
  "use strict";

  var PALETTE = ["#2c5282", "#2f855a", "#c05621", "#6b46c1", "#b8322a", "#1d6fb8", "#64748b", "#b7791f"];
  var FONT = '"Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", sans-serif';

  var COMPACT = new Intl.NumberFormat(document.documentElement.lang || undefined, { notation: "compact", maximumFractionDigits: 1 });

  function yuanShort(value) {
    return COMPACT.format(value);
  }

  function percentAxis() {
    return { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" }, splitLine: { show: false } };
  }

  // Every bar carries its value: above (or beside) a lone or grouped bar, inside a stacked segment; an
  // empty segment stays unlabelled so that labels never pile up.
  function valueLabel(spec, position, percent) {
    return {
      show: true, position: position, fontSize: 11, color: position === "inside" ? "#fff" : "#1d2733",
      // a white halo keeps a label readable where it crosses a bar or a line
      textBorderColor: position === "inside" ? "transparent" : "#fff", textBorderWidth: position === "inside" ? 0 : 2,
      formatter: function (p) {
        var v = Array.isArray(p.value) ? p.value[p.value.length - 1] : p.value;
        if (v == null || v === 0 || v === "") return "";
        return percent ? v + "%" : (spec.yuan ? yuanShort(v) : String(v));
      }
    };
  }

  function bar(spec) {
    var valueAxis = spec.percent ? percentAxis() : { type: "value", minInterval: 1 };
    var categoryAxis = {
      type: "category", data: spec.categories,
      axisLabel: spec.horizontal ? { width: 150, overflow: "truncate" } : { interval: 0, rotate: spec.categories.length > 6 ? 30 : 0, width: 110, overflow: "truncate" },
      inverse: !!spec.horizontal
    };
    var outside = spec.horizontal ? "right" : "top";
    return {
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, valueFormatter: spec.percent ? function (v) { return v == null ? "—" : v + "%"; } : undefined },
      legend: spec.series.length > 1 ? { top: 0, type: "scroll" } : undefined,
      grid: { left: 8, right: spec.horizontal ? 40 : 24, top: spec.series.length > 1 ? 40 : 20, bottom: 8, containLabel: true },
      xAxis: spec.horizontal ? valueAxis : categoryAxis,
      yAxis: spec.horizontal ? categoryAxis : valueAxis,
      series: spec.series.map(function (s) {
        return {
          name: s.name, type: "bar", data: s.data, stack: spec.stacked ? "total" : undefined, barMaxWidth: 36,
          label: valueLabel(spec, spec.stacked ? "inside" : outside, spec.percent), labelLayout: { hideOverlap: true }
        };
      })
    };
  }

  function barline(spec) {
    var money = spec.yuan ? function (v) { return yuanShort(v); } : undefined;
    var series = spec.bars.map(function (s) {
      return { name: s.name, type: "bar", data: s.data, barMaxWidth: 36, label: valueLabel(spec, "top", false), labelLayout: { hideOverlap: true } };
    });
    series.push({
      name: spec.line.name, type: "line", yAxisIndex: 1, data: spec.line.data, symbolSize: 7,
      label: { show: spec.categories.length <= 12, position: "top", formatter: "{c}%", color: "#1d2733", textBorderColor: "#fff", textBorderWidth: 3 }
    });
    return {
      tooltip: { trigger: "axis" },
      legend: { top: 0, type: "scroll" },
      grid: { left: 8, right: 8, top: 40, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: spec.categories, axisLabel: { interval: 0, rotate: spec.categories.length > 6 ? 30 : 0, width: 110, overflow: "truncate" } },
      yAxis: [{ type: "value", axisLabel: { formatter: money } }, percentAxis()],
      series: series
    };
  }

  // Labels stand beside the funnel in dark text: inside, a thin slice would cut them off, and white text
  // on the lighter or red slices is hard to read.
  function funnel(spec) {
    return {
      tooltip: { trigger: "item", formatter: "{b}: {c}" },
      series: [{
        type: "funnel", left: "4%", right: "42%", top: 8, bottom: 8, minSize: "6%", sort: "descending", gap: 2,
        label: { show: true, position: "right", formatter: "{b}  {c}", color: "#1d2733", fontSize: 12, width: 170, overflow: "truncate" },
        labelLine: { show: true, length: 12, lineStyle: { color: "#94a3b8" } },
        labelLayout: { hideOverlap: false, moveOverlap: "shiftY" },
        data: spec.labels.map(function (name, i) { return { name: name, value: spec.values[i] }; })
      }]
    };
  }

  function sankey(spec) {
    return {
      tooltip: { trigger: "item" },
      series: [{
        type: "sankey", left: 8, right: 120, top: 12, bottom: 12, nodeGap: 10, draggable: false,
        emphasis: { focus: "adjacency" }, lineStyle: { color: "gradient", opacity: 0.35 },
        label: { fontSize: 12 }, data: spec.nodes, links: spec.links
      }]
    };
  }

  var BUILDERS = { bar: bar, barline: barline, funnel: funnel, sankey: sankey };

  function draw(el) {
    var source = document.getElementById(el.dataset.chart);
    if (!source || !window.echarts) return;
    var spec = JSON.parse(source.textContent);
    var build = BUILDERS[spec.type];
    if (!build) return;
    var option = build(spec);
    option.color = PALETTE;
    option.textStyle = { fontFamily: FONT };
    option.animation = false;
    var chart = window.echarts.init(el, null, { renderer: "svg" });
    chart.setOption(option);
    el.dataset.drawn = "true";
    window.addEventListener("resize", function () { chart.resize(); });
  }

  function drawAll() {
    document.querySelectorAll("[data-chart]").forEach(draw);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawAll);
  } else {
    drawAll();
  }
})();
