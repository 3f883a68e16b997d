// Charts through the vendored Chart.js (window.Chart, loaded by index.html before this module runs).
// Each chart keeps a table of its numbers beside it for screen readers and for checking figures.

import { count, h } from "./dom.js";

const PALETTE = ["#2f6f8f", "#6aa84f", "#e69138", "#8e7cc3", "#c27ba0", "#45818e", "#bf9000", "#a61c00", "#3d85c6"];
const live = new Set();

export function destroyCharts() {
  for (const chart of live) chart.destroy();
  live.clear();
}

// entries: [[label, value], ...]; kind: "bar" | "doughnut" | "horizontal"
export function chartFigure(title, entries, { kind = "bar", id } = {}) {
  const canvas = h("canvas", { role: "img", "aria-label": `${title}のグラフ` });
  const numbers = h(
    "table",
    { class: "chart-table", id: id ? `${id}-table` : undefined },
    h("caption", { class: "visually-hidden" }, title),
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "区分"), h("th", { scope: "col" }, "人数"))),
    h(
      "tbody",
      {},
      entries.map(([label, value]) =>
        h("tr", {}, h("th", { scope: "row" }, label), h("td", { "data-value": value }, count(value))),
      ),
    ),
  );
  const figure = h(
    "figure",
    { class: "chart", id },
    h("figcaption", {}, title),
    h("div", { class: "chart-box" }, canvas),
    h("details", {}, h("summary", {}, "数値を表で見る"), numbers),
  );
  requestAnimationFrame(() => draw(canvas, entries, kind));
  return figure;
}

function draw(canvas, entries, kind) {
  if (!window.Chart || !canvas.isConnected) return;
  const horizontal = kind === "horizontal";
  const chart = new window.Chart(canvas, {
    type: horizontal ? "bar" : kind,
    data: {
      labels: entries.map(([label]) => label),
      datasets: [
        {
          data: entries.map(([, value]) => value),
          backgroundColor: kind === "doughnut" ? PALETTE : PALETTE[0],
          borderWidth: kind === "doughnut" ? 1 : 0,
        },
      ],
    },
    options: {
      indexAxis: horizontal ? "y" : "x",
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      plugins: { legend: { display: kind === "doughnut", position: "right" } },
      scales:
        kind === "doughnut" ? {} : { x: { ticks: { precision: 0 } }, y: { ticks: { precision: 0 }, beginAtZero: true } },
    },
  });
  live.add(chart);
}
