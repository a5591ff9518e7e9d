/* POSC Tracker dashboards: draw the charts whose data the page carries in <script type="application/json">.
 * A <canvas data-posc-chart="funding-mix|spend" data-source="ID"> reads JSON from the element with that id. */
(function () {
  "use strict";

  var PALETTE = ["#1f4e79", "#2e86c1", "#48c9b0", "#f5b041", "#af7ac5", "#ec7063", "#5d6d7e", "#a3e4d7",
                 "#f8c471", "#85929e", "#d98880", "#7fb3d5"];

  function number(value, digits) {
    return Number(value).toLocaleString(document.documentElement.lang || undefined,
      {minimumFractionDigits: digits, maximumFractionDigits: digits});
  }

  function fundingMix(canvas, data) {
    var datasets = data.series.map(function (series, i) {
      return {type: "bar", label: series.label, data: series.data, stack: "income",
              backgroundColor: series.color || PALETTE[i % PALETTE.length], yAxisID: "y", order: 2};
    });
    datasets.push({type: "line", label: data.shareLabel, data: data.share, yAxisID: "share",
                   borderColor: "#c0392b", backgroundColor: "#c0392b", tension: 0.2, spanGaps: false,
                   pointRadius: 4, order: 1});
    return new window.Chart(canvas, {
      data: {labels: data.labels, datasets: datasets},
      options: {
        responsive: true, maintainAspectRatio: false, interaction: {mode: "index", intersect: false},
        scales: {
          x: {stacked: true},
          y: {stacked: true, beginAtZero: true, title: {display: true, text: data.amountLabel}},
          share: {position: "right", min: 0, max: 100, grid: {drawOnChartArea: false},
                  title: {display: true, text: data.shareLabel},
                  ticks: {callback: function (v) { return v + " %"; }}}
        },
        plugins: {tooltip: {callbacks: {label: function (ctx) {
          if (ctx.dataset.yAxisID === "share") return ctx.dataset.label + ": " + number(ctx.parsed.y, 1) + " %";
          return ctx.dataset.label + ": " + number(ctx.parsed.y, 2);
        }}}}
      }
    });
  }

  function spend(canvas, data) {
    var datasets = data.series.map(function (series, i) {
      return {label: series.label, data: series.data, backgroundColor: PALETTE[i % PALETTE.length]};
    });
    return new window.Chart(canvas, {
      type: "bar",
      data: {labels: data.labels, datasets: datasets},
      options: {
        responsive: true, maintainAspectRatio: false, interaction: {mode: "index", intersect: false},
        scales: {x: {stacked: true}, y: {stacked: true, beginAtZero: true,
                                          title: {display: true, text: data.amountLabel}}},
        plugins: {tooltip: {callbacks: {label: function (ctx) {
          return ctx.dataset.label + ": " + number(ctx.parsed.y, 2);
        }}}}
      }
    });
  }

  var KINDS = {"funding-mix": fundingMix, "spend": spend};

  function draw() {
    if (!window.Chart) return;
    document.querySelectorAll("canvas[data-posc-chart]").forEach(function (canvas) {
      if (canvas.dataset.drawn) return;
      var source = document.getElementById(canvas.dataset.source);
      var kind = KINDS[canvas.dataset.poscChart];
      if (!source || !kind) return;
      canvas.dataset.drawn = "1";
      kind(canvas, JSON.parse(source.textContent));
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
