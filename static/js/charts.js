// Draws the dashboards' charts with the vendored ECharts. Every chart reads its
// figures from a <script type="application/json"> inside its container; amounts
// arrive already scaled to the reader's unit, as strings, with the server's
// formatted text for tooltips. Nothing here talks to another host.
(function () {
  "use strict";
  var korean = document.documentElement.lang === "ko";
  var locale = korean ? "KO" : "EN";
  var worldUrl = document.getElementById("charts-script").dataset.world;
  var palette = ["#0b3d91", "#2a9d8f", "#e76f51", "#8d99ae", "#f4a261", "#6a4c93"];
  // Readers who ask their system for less motion get charts drawn at once (WCAG 2.3.3).
  var reducedMotion = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  var charts = [];

  function num(value) {
    return value === null || value === undefined ? null : Number(value);
  }

  function dataOf(element) {
    var script = element.querySelector("script[type='application/json']");
    return JSON.parse(script.textContent);
  }

  // ECharts puts a tooltip formatter's result into the page as HTML. Every name in it was typed
  // by someone (a technology, an institution, a field), so every piece of text is escaped here,
  // and no tooltip is left to ECharts' own markup (its markers carry inline styles, which the
  // Content-Security-Policy refuses).
  var ENTITIES = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
  function esc(value) {
    return value === null || value === undefined ? "" : String(value).replace(/[&<>"']/g, function (c) { return ENTITIES[c]; });
  }

  // The series' colour as a class (static/css/site.css), not a style attribute.
  function marker(color) {
    var name = typeof color === "string" ? color.replace("#", "").toLowerCase() : "";
    return '<span class="tt-marker tt-' + esc(name) + '"></span>';
  }

  // Tooltips show the server's formatted amounts ("1,487억 원"), never the scaled axis numbers.
  function labelledTooltip(d) {
    return function (items) {
      var lines = [esc(items.length ? items[0].axisValue : "")];
      items.forEach(function (item) {
        var s = d.series[item.seriesIndex];
        lines.push(marker(item.color) + esc(s.name) + ": " + esc(s.labels[item.dataIndex]));
      });
      return lines.join("<br>");
    };
  }

  // A scaled amount as the reader's language writes it: "10,164", never "10164".
  function numberText(value) {
    return Number(value).toLocaleString(korean ? "ko-KR" : "en-US", { maximumFractionDigits: 1 });
  }

  function percent(v) {
    return v === null || v === undefined ? "–" : Number(v).toFixed(2) + "%";
  }

  var builders = {
    "share-path": function (d) {
      var series = [
        { name: d.names.executed, type: "line", data: d.executed.map(num), connectNulls: false,
          symbolSize: 8, lineStyle: { width: 3 } },
        { name: d.names.planned, type: "line", data: d.planned.map(num), lineStyle: { type: "dashed" },
          symbol: "emptyCircle" },
        { name: d.names.target, type: "line", step: false, data: d.target.map(num),
          lineStyle: { type: "dotted", width: 2 }, symbol: "none" },
        // Executed so far in years not closed: points only, never joined to the path.
        { name: d.names.in_progress, type: "line", data: d.in_progress.map(num),
          symbol: "triangle", symbolSize: 9, lineStyle: { width: 0 } },
      ];
      if (d.goal !== null) {
        series[2].markLine = {
          silent: true, symbol: "none",
          data: [{ yAxis: num(d.goal), name: d.goal_label }],
          label: { formatter: d.goal_label, position: "insideEndTop" },
          lineStyle: { color: "#c0392b", type: "solid" },
        };
      }
      return {
        color: ["#0b3d91", "#2a9d8f", "#c0392b", "#8d99ae"],
        tooltip: {
          trigger: "axis", confine: true,
          formatter: function (items) {
            var lines = [esc(items.length ? items[0].axisValue : "")];
            items.forEach(function (item) {
              if (item.value === null || item.value === undefined) { return; }
              lines.push(marker(item.color) + esc(item.seriesName) + ": " + percent(item.value));
            });
            return lines.join("<br>");
          },
        },
        legend: { top: 0 },
        grid: { left: 48, right: 24, top: 64, bottom: 32 },
        xAxis: { type: "category", data: d.years.map(String) },
        yAxis: { type: "value", min: 0, axisLabel: { formatter: "{value}%" } },
        series: series,
      };
    },
    // A scenario: the baseline, the scenario, what the execution rate makes of it, and the
    // target, on one axis; the same tooltip as the share path.
    "scenario-path": function (d) {
      return {
        color: ["#7f8c8d", "#0b3d91", "#2a9d8f", "#c0392b"],
        tooltip: {
          trigger: "axis", confine: true,
          formatter: function (items) {
            var lines = [esc(items.length ? items[0].axisValue : "")];
            items.forEach(function (item) {
              lines.push(marker(item.color) + esc(item.seriesName) + ": " + percent(item.value));
            });
            return lines.join("<br>");
          },
        },
        legend: { top: 0 },
        grid: { left: 48, right: 24, top: 56, bottom: 32 },
        xAxis: { type: "category", data: d.years.map(String) },
        yAxis: { type: "value", min: 0, axisLabel: { formatter: "{value}%" } },
        series: [
          { name: d.names.baseline, type: "line", data: d.baseline.map(num), lineStyle: { type: "dashed" },
            symbol: "emptyCircle" },
          { name: d.names.scenario, type: "line", data: d.scenario.map(num), symbolSize: 8,
            lineStyle: { width: 3 } },
          { name: d.names.expected, type: "line", data: d.expected.map(num), lineStyle: { type: "dashed", width: 2 },
            symbol: "triangle" },
          { name: d.names.target, type: "line", data: d.target.map(num), lineStyle: { type: "dotted", width: 2 },
            symbol: "none" },
        ],
      };
    },
    "budget-stack": function (d, width) {
      return {
        color: palette,
        tooltip: { trigger: "axis", confine: true, axisPointer: { type: "shadow" }, formatter: labelledTooltip(d) },
        // Every series named at once (a paged legend hid half of them on a phone): on a narrow
        // screen the legend wraps, and the bars start below it.
        legend: { top: 0, type: "plain" },
        grid: { left: 64, right: 24, top: width < 560 ? 96 : 56, bottom: 32 },
        xAxis: { type: "category", data: d.years.map(String) },
        yAxis: { type: "value", name: d.axis },
        series: d.series.map(function (s) {
          return { name: s.name, type: "bar", stack: "budget", data: s.values.map(num) };
        }),
      };
    },
    "budget-years": function (d, width) {
      return {
        color: palette,
        tooltip: { trigger: "axis", confine: true, formatter: labelledTooltip(d) },
        // Every series named at once (a paged legend hid half of them on a phone): on a narrow
        // screen the legend wraps, and the bars start below it.
        legend: { top: 0, type: "plain" },
        grid: { left: 64, right: 24, top: width < 560 ? 96 : 56, bottom: 32 },
        xAxis: { type: "category", data: d.years.map(String) },
        yAxis: { type: "value", name: d.axis },
        series: d.series.map(function (s) {
          return { name: s.name, type: "bar", data: s.values.map(num) };
        }),
      };
    },
    // Technologies per status as bars whose length is the count: the statuses are not an
    // attrition funnel (more can be in progress than were selected), so no funnel shape.
    "status-bars": function (d) {
      var stages = d.stages.slice().reverse();  // the first status on top
      return {
        color: palette,
        tooltip: { trigger: "item", confine: true, formatter: function (item) { return esc(item.name) + ": " + esc(item.value); } },
        grid: { left: 8, right: 48, top: 8, bottom: 8, containLabel: true },
        xAxis: { type: "value", minInterval: 1 },
        yAxis: { type: "category", data: stages.map(function (s) { return s.name; }) },
        series: [{
          type: "bar", data: stages.map(function (s) { return s.value; }),
          label: { show: true, position: "right", formatter: "{c}" },
        }],
      };
    },
    "radar": function (d, width, height) {
      var symbols = { same: "circle", moved: "triangle", "new": "diamond" };
      // The layout is in outer radii (1.0 = the outer ring); the polar box is 78% of half the
      // smaller side and its axis runs to 1.15, leaving room for the sector names outside.
      var outer = 1.15;
      // On a phone the sector names take a larger part of the width: a smaller radar keeps them in.
      var radiusShare = width < 520 ? 0.66 : 0.78;
      var unit = (radiusShare * Math.min(width, height || width) / 2) / outer;
      // A point as large as the layout allows (points never overlap at this size); its number
      // is drawn only when it fits inside the point, else the list beside the chart has it.
      var size = Math.max(4, Math.floor(d.point_size * unit * 0.92));
      var fontSize = Math.min(10, Math.floor(size * 0.62));
      var series = d.series.map(function (s) {
        return {
          name: s.name, type: "scatter", coordinateSystem: "polar",
          data: s.points.map(function (p) {
            return { value: p.value, point: p, symbol: symbols[p.movement], symbolSize: p.movement === "same" ? size : size + 2 };
          }),
          label: { show: fontSize >= 6, position: "inside", fontSize: fontSize, color: "#fff", formatter: function (item) { return String(item.data.point.n); } },
          labelLayout: { hideOverlap: true },
        };
      });
      // Rings as drawn circles at their computed edges: rings are as deep as their busiest cell.
      d.ring_edges.forEach(function (edge) {
        var circle = [];
        for (var a = 0; a <= 360; a += 2) { circle.push([edge, a]); }
        series.push({
          type: "line", coordinateSystem: "polar", data: circle, symbol: "none", silent: true,
          tooltip: { show: false }, lineStyle: { color: "#aab", width: 1 }, z: 1,
        });
      });
      // Sector names outside the outer ring; each ring's name in the band kept free at its
      // inner edge, so that no point ever covers a name or is covered by one.
      // A sector's name is anchored at its outer end, so it reaches away from the radar, never
      // back over the outer ring's points.
      var sectorLabels = d.sectors.map(function (name, i) {
        var angle = (i + 0.5) * 360 / d.sectors.length;
        var x = Math.sin(angle * Math.PI / 180), y = Math.cos(angle * Math.PI / 180);
        return {
          value: [1.03, angle],
          label: {
            show: true, formatter: name, position: "inside",
            align: x > 0.3 ? "left" : (x < -0.3 ? "right" : "center"),
            verticalAlign: y > 0.3 ? "bottom" : (y < -0.3 ? "top" : "middle"),
          },
        };
      });
      var ringLabels = d.rings.map(function (name, i) {
        return { value: [d.ring_names_at[i], 0], label: { show: true, formatter: name, color: "#333", fontSize: 10 } };
      });
      series.push({
        type: "scatter", coordinateSystem: "polar", silent: true, symbolSize: 0, tooltip: { show: false }, z: 10,
        label: { fontSize: 11, color: "#1d2433" }, data: sectorLabels.concat(ringLabels),
      });
      return {
        color: palette,
        legend: { top: 0, data: d.series.map(function (s) { return s.name; }) },
        tooltip: {
          trigger: "item", confine: true,
          formatter: function (item) {
            var p = item.data && item.data.point;
            if (!p) { return ""; }
            var text = esc(p.n) + ". <strong>" + esc(p.code) + "</strong> " + esc(p.name) + "<br>" + esc(p.status);
            if (p.movement === "moved") { text += " (" + esc(d.movement_names.moved) + ": " + esc(p.before) + " → " + esc(p.status) + ")"; }
            if (p.movement === "new") { text += " (" + esc(d.movement_names["new"]) + ")"; }
            return text;
          },
        },
        polar: { radius: ["0%", Math.round(radiusShare * 100) + "%"], center: ["50%", "55%"] },
        angleAxis: {
          type: "value", min: 0, max: 360, interval: 360 / d.sectors.length, startAngle: 90,
          clockwise: true, axisLabel: { show: false }, axisTick: { show: false },
          splitLine: { show: true, lineStyle: { color: "#ccd" } },
        },
        radiusAxis: {
          type: "value", min: 0, max: outer, axisLabel: { show: false },
          axisTick: { show: false }, axisLine: { show: false }, splitLine: { show: false },
        },
        series: series,
      };
    },
    "world-map": function (d) {
      var values = d.rows.map(function (r) { return num(r.value); });
      return {
        tooltip: {
          trigger: "item", confine: true,
          formatter: function (item) {
            return item.data ? esc(item.data.label) + ": " + esc(item.data.text) : "";
          },
        },
        visualMap: {
          min: 0, max: Math.max.apply(null, values.concat([1])), left: 8, bottom: 8,
          text: [d.axis, ""], calculable: true, inRange: { color: ["#dbe7fb", "#0b3d91"] },
          formatter: function (value) { return numberText(value); },
        },
        series: [{
          type: "map", map: "world", roam: true, nameProperty: "name",
          emphasis: { label: { show: false } }, itemStyle: { areaColor: "#f1f1f1", borderColor: "#999" },
          data: d.rows.map(function (r) { return { name: r.numeric, value: num(r.value), label: r.name, text: r.text, url: r.url }; }),
        }],
      };
    },
  };

  var worldLoaded = null;
  function ensureWorld() {
    if (!worldLoaded) {
      worldLoaded = fetch(worldUrl, { credentials: "same-origin" })
        .then(function (r) { return r.json(); })
        .then(function (geo) { echarts.registerMap("world", unwrapDateline(geo)); });
    }
    return worldLoaded;
  }

  // Drill-down: a click on a country, a radar point, a bar or a stage opens the list (or the
  // technology) it stands for; the tables beside the charts carry the same links for keyboards.
  function drillUrl(kind, d, params) {
    if (kind === "radar") { return params.data && params.data.point ? params.data.point.url : null; }
    if (kind === "world-map") { return params.data ? params.data.url : null; }
    if (kind === "status-bars") {
      var stage = d.stages[d.stages.length - 1 - params.dataIndex];  // drawn bottom-up
      return stage ? stage.url : null;
    }
    if (kind === "budget-stack") { return d.series[params.seriesIndex] ? d.series[params.seriesIndex].url : null; }
    return null;
  }

  // Russia's and Fiji's outlines cross the 180th meridian: a ring that jumps from +179° to
  // -179° is drawn as a line across the whole map (the stray lines over the Arctic). Such a
  // ring is made continuous by carrying its western points past +180°.
  function unwrapDateline(geo) {
    function fixRing(ring) {
      var crosses = ring.some(function (p, i) { return i > 0 && Math.abs(p[0] - ring[i - 1][0]) > 180; });
      return crosses ? ring.map(function (p) { return p[0] < 0 ? [p[0] + 360, p[1]] : p; }) : ring;
    }
    geo.features.forEach(function (f) {
      var g = f.geometry;
      if (!g) { return; }
      if (g.type === "Polygon") { g.coordinates = g.coordinates.map(fixRing); }
      if (g.type === "MultiPolygon") {
        g.coordinates = g.coordinates.map(function (poly) { return poly.map(fixRing); });
      }
    });
    return geo;
  }

  // Every chart can be saved as a PNG (for a report or a slide): a real button under the
  // chart, reachable from the keyboard, rather than an icon drawn inside the canvas.
  function addSaveButton(element, chart, kind) {
    var old = element.parentNode.querySelector(".chart-save[data-for='" + kind + "']");
    if (old) { old.remove(); }
    var button = document.createElement("button");
    button.type = "button";
    button.className = "chart-save";
    button.dataset.for = kind;
    button.textContent = korean ? "이미지로 저장 (PNG)" : "Save as image (PNG)";
    button.addEventListener("click", function () {
      var link = document.createElement("a");
      link.href = chart.getDataURL({ type: "png", pixelRatio: 2, backgroundColor: "#fff" });
      link.download = kind + ".png";
      document.body.appendChild(link);
      link.click();
      link.remove();
    });
    element.insertAdjacentElement("afterend", button);
  }

  function draw(element) {
    var kind = element.dataset.chart;
    var data = dataOf(element);
    var target = element.querySelector(".chart-canvas");
    if (!target) {
      target = document.createElement("div");
      target.className = "chart-canvas";
      element.appendChild(target);
    }
    var existing = echarts.getInstanceByDom(target);
    if (existing) { existing.dispose(); }
    element.dataset.drawn = "false";
    var render = function () {
      var chart = echarts.init(target, null, { renderer: "canvas", locale: locale });
      var option = builders[kind](data, target.clientWidth, target.clientHeight);
      option.animation = !reducedMotion;
      // "Drawn" means on the canvas, the entry animation finished: a print, a screenshot or a
      // resize taken before that would catch the chart mid-animation.
      chart.on("finished", function () { element.dataset.drawn = "true"; });
      chart.setOption(option);
      addSaveButton(element, chart, kind);
      chart.on("click", function (params) {
        var url = drillUrl(kind, data, params);
        // Only our own pages: a URL in the figures never leads to another host.
        if (url && url.charAt(0) === "/" && url.charAt(1) !== "/") { window.location.assign(url); }
      });
      charts.push(chart);
    };
    var renderWhenSized = function () { whenSized(target, render); };
    if (kind === "world-map") {
      ensureWorld().then(renderWhenSized);
    } else {
      renderWhenSized();
    }
  }

  // A chart cannot be laid out in a box of zero width or height: the map's projection then has
  // no inverse and ECharts throws. Such a box is what a hidden container, a very small window,
  // or a screenshot tool's momentary 1x1 viewport gives. Charts wait for a size and keep theirs
  // until the box has one again.
  function hasSize(dom) {
    return dom.clientWidth > 0 && dom.clientHeight > 0;
  }

  function whenSized(dom, callback) {
    if (hasSize(dom)) { callback(); return; }
    var observer = new ResizeObserver(function () {
      if (hasSize(dom)) { observer.disconnect(); callback(); }
    });
    observer.observe(dom);
  }

  // Charts whose container left the page (an htmx swap replaced it) are disposed, not resized:
  // resizing a chart on a detached container is what the browser cannot lay out.
  function prune() {
    charts = charts.filter(function (c) {
      if (!c.isDisposed() && c.getDom().isConnected) { return true; }
      if (!c.isDisposed()) { c.dispose(); }
      return false;
    });
  }

  function resizeAll() {
    prune();
    charts.forEach(function (c) { if (hasSize(c.getDom())) { c.resize(); } });
  }

  function drawAll(root) {
    prune();
    (root || document).querySelectorAll("[data-chart]").forEach(draw);
  }

  document.addEventListener("DOMContentLoaded", function () { drawAll(document); });
  // htmx swaps filtered results in place: draw the charts that came with them.
  document.body.addEventListener("htmx:afterSettle", function (event) { drawAll(event.detail.elt); });
  // One resize per frame, however many events a window drag sends.
  var resizeQueued = false;
  window.addEventListener("resize", function () {
    if (resizeQueued) { return; }
    resizeQueued = true;
    window.requestAnimationFrame(function () { resizeQueued = false; resizeAll(); });
  });
  // Printing lays the page out narrower: fit the charts before the snapshot is taken (now, not
  // at the next frame: the print snapshot comes first).
  window.addEventListener("beforeprint", resizeAll);
})();
