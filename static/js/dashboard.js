// The dashboards: draws each chart from the figures its page carries (json_script), lets a person switch
// between a chart and the table behind it, and shows times in the browser's time zone. Kept out of the
// HTML so the Content-Security-Policy can forbid inline scripts.
(function () {
  "use strict";

  var OUTCOME_COLORS = {
    released: "#1e7a3c", rejected: "#b3261e", inspection: "#c27c0e",
    mismatch: "#5b6675", cancelled: "#9aa5b1", lists: "#1f5fa8"
  };
  var PALETTE = ["#1f5fa8", "#1e7a3c", "#c27c0e", "#b3261e", "#6b4fa0", "#2a8a8a", "#5b6675", "#d4679a"];
  var reducedMotion = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;

  function dataset(spec, d) {
    var color = OUTCOME_COLORS[d.key] || PALETTE[0];
    if (spec.type === "doughnut") {
      return {
        label: d.label, data: d.data, borderColor: "#fff", borderWidth: 2,
        backgroundColor: spec.labels.map(function (_label, i) { return PALETTE[i % PALETTE.length]; })
      };
    }
    return {
      label: d.label, data: d.data, backgroundColor: color, borderColor: color,
      borderWidth: spec.type === "line" ? 2 : 0, pointRadius: 2, tension: 0.2
    };
  }

  function draw(canvas) {
    var source = document.getElementById(canvas.dataset.chart);
    if (canvas.dataset.drawn || !source || typeof window.Chart === "undefined") { return; }
    var spec = JSON.parse(source.textContent);
    var card = canvas.closest(".chart-card");
    canvas.parentElement.hidden = false;  // Chart.js sizes the canvas from its box: shown first
    var options = {
      responsive: true, maintainAspectRatio: false, animation: reducedMotion ? false : { duration: 400 },
      plugins: { legend: { position: "bottom" } }
    };
    if (spec.type !== "doughnut") {
      var stacked = spec.type === "bar";
      options.interaction = { mode: "index", intersect: false };
      options.scales = {
        x: { stacked: stacked },
        y: { stacked: stacked, beginAtZero: true, ticks: { precision: 0 } }
      };
    }
    new window.Chart(canvas, {
      type: spec.type,
      data: { labels: spec.labels, datasets: spec.datasets.map(function (d) { return dataset(spec, d); }) },
      options: options
    });
    canvas.dataset.drawn = "1";
    // Without a chart (no script, or Chart.js missing) the table stays in view; with one it is a click away.
    var table = card.querySelector(".chart-table"), toggle = card.querySelector("[data-table-toggle]");
    if (table && toggle) {
      table.hidden = true;
      toggle.hidden = false;
      toggle.setAttribute("aria-expanded", "false");
      toggle.textContent = toggle.dataset.labelTable;
    }
  }

  function localTimes(root) {
    root.querySelectorAll("time[data-local-time]").forEach(function (el) {
      var when = new Date(el.getAttribute("datetime"));
      if (isNaN(when.getTime())) { return; }
      el.textContent = when.toLocaleString(document.documentElement.lang || undefined, {
        year: "numeric", month: "2-digit", day: "2-digit",
        hour: "2-digit", minute: "2-digit", second: "2-digit", timeZoneName: "short"
      });
    });
  }

  document.addEventListener("click", function (event) {
    var toggle = event.target.closest("[data-table-toggle]");
    if (!toggle) { return; }
    var card = toggle.closest(".chart-card");
    var table = card.querySelector(".chart-table"), box = card.querySelector(".chart-box");
    var showTable = table.hidden;
    table.hidden = !showTable;
    box.hidden = showTable;
    toggle.setAttribute("aria-expanded", showTable ? "true" : "false");
    toggle.textContent = showTable ? toggle.dataset.labelChart : toggle.dataset.labelTable;
  });

  // The live figures are swapped in by htmx: their times are localised again.
  document.addEventListener("htmx:load", function (event) { localTimes(event.target); });

  document.querySelectorAll("canvas[data-chart]").forEach(draw);
  localTimes(document);
})();
