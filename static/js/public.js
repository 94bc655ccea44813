// Public pages: draws the score-distribution chart of a trade's results with Chart.js.
// The data comes from the canvas's data-chart attribute (no inline script: strict CSP);
// without this file the page still lists every band in text below the chart.
"use strict";

(() => {
  const draw = (canvas) => {
    if (!window.Chart || canvas.dataset.drawn) return;
    let data;
    try {
      data = JSON.parse(canvas.dataset.chart);
    } catch (error) {
      return;
    }
    const style = getComputedStyle(document.documentElement);
    const red = style.getPropertyValue("--red").trim() || "#b91c1c";
    new window.Chart(canvas, {
      type: "bar",
      data: {
        labels: data.labels,
        datasets: [{ label: data.series, data: data.counts, backgroundColor: red, borderRadius: 4 }],
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        plugins: { legend: { display: false } },
        scales: {
          x: { title: { display: true, text: data.x } },
          y: { beginAtZero: true, ticks: { precision: 0 }, title: { display: true, text: data.y } },
        },
      },
    });
    canvas.dataset.drawn = "true";
  };
  const start = () => document.querySelectorAll("canvas[data-chart]").forEach(draw);
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
