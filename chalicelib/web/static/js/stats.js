// The figures (#/stats): lead times to the first decision per step, change-request rates,
// on-time publishing, failures per channel and answer times, over the last n days
// (GET /api/stats). Charts are drawn by Chart.js, vendored under static/vendor/ and loaded on
// first use; every chart has a table beside it with the same figures, for reading and printing.

import { api, ROOT } from "./api.js";
import { h, fill } from "./dom.js";
import { t, getLang } from "./i18n.js";
import { errorNotice, loading, pageTitle } from "./ui.js";

const PERIODS = [7, 30, 90, 365];
const COLORS = { median: "#2f6fde", p90: "#9fb9ef", rate: "#d9822b", fail: "#c0392b", answer: "#2e8b57" };

let chartLibrary = null;
function loadCharts() {
  if (window.Chart) return Promise.resolve(window.Chart);
  if (!chartLibrary) {
    chartLibrary = new Promise((resolve, reject) => {
      const script = document.createElement("script");
      script.src = new URL("static/vendor/chart.js", ROOT).href;
      script.addEventListener("load", () => resolve(window.Chart));
      script.addEventListener("error", () => {
        chartLibrary = null;
        reject(new Error(t("stats.noCharts")));
      });
      document.head.append(script);
    });
  }
  return chartLibrary;
}

function isoDay(date) {
  return date.toISOString().slice(0, 10);
}

function number(value, digits = 1) {
  if (value === null || value === undefined) return "–";
  return new Intl.NumberFormat(getLang(), { maximumFractionDigits: digits }).format(value);
}

function percent(rate) {
  return rate === null || rate === undefined ? "–" : `${number(rate * 100, 0)} %`;
}

function stepName(row, brands) {
  return brands > 1 ? `${row.step} (${row.brand})` : row.step;
}

export async function renderStats(view, ctx, params) {
  const days = PERIODS.includes(Number(params.get("days"))) ? Number(params.get("days")) : 30;
  const brand = params.get("brand") || "";
  const heading = h("h1", { id: "page-title", tabindex: "-1", text: t("stats.title") });
  const choose = h("select", { id: "stats-days", "aria-label": t("stats.period") },
    PERIODS.map((n) => h("option", { value: String(n), selected: n === days, text: t("stats.days", { n }) })));
  choose.addEventListener("change", () => {
    const query = new URLSearchParams({ days: choose.value });
    if (brand) query.set("brand", brand);
    location.hash = `#/stats?${query}`;
  });
  const body = h("div", { class: "stats-body" }, loading());
  fill(view, h("div", { class: "page-head" }, heading,
    h("label", { class: "stats-period" }, h("span", { text: t("stats.period") }), choose)), body);
  pageTitle(t("stats.title"));

  const today = new Date();
  const from = new Date(today.getTime() - (days - 1) * 86400000);
  let figures;
  let Chart;
  try {
    [figures, Chart] = await Promise.all([api.stats(isoDay(from), isoDay(today), brand), loadCharts()]);
  } catch (err) {
    fill(body, errorNotice(err));
    return heading;
  }
  fill(body, ...sections(figures));
  if (view.isConnected) drawCharts(body, figures, Chart);
  return heading;
}

function sections(figures) {
  const brands = new Set(figures.steps.map((s) => s.brand)).size;
  const failed = Object.values(figures.failures).reduce((a, b) => a + b, 0);
  const parts = [
    h("p", { class: "stats-range", text: t("stats.range", { from: figures.from, to: figures.to }) }),
    h("dl", { class: "stats-tiles" },
      tile(t("stats.published"), number(figures.published, 0), "published"),
      tile(t("stats.onTime"), percent(figures.on_time_rate), "on-time"),
      tile(t("stats.failed"), number(failed, 0), "failed")),
  ];
  if (!figures.steps.length && !figures.published && !failed && !figures.answers.length) {
    parts.push(h("p", { class: "empty", text: t("stats.empty") }));
    return parts;
  }
  parts.push(
    chartSection("stats-lead", t("stats.lead"), table(
      [t("stats.step"), t("stats.decisions"), t("stats.median"), t("stats.p90"), t("stats.changes"), t("stats.labels")],
      figures.steps.map((s) => [stepName(s, brands), number(s.decisions, 0), number(s.median_hours_to_decision),
        number(s.p90_hours_to_decision), percent(s.changes_requested_rate),
        Object.entries(s.labels).map(([label, n]) => `${label} ${n}`).join(", ")]))),
    chartSection("stats-changes", t("stats.changesTitle"), null),
    chartSection("stats-failures", t("stats.failuresTitle"), table(
      [t("stats.channel"), t("stats.failed")],
      Object.entries(figures.failures).map(([channel, n]) => [channel, number(n, 0)]))),
    h("section", { class: "card stats-reviewers" }, h("h2", { text: t("stats.reviewers") }), table(
      [t("stats.step"), t("stats.reviewer"), t("stats.decisions"), t("stats.median"), t("stats.p90"), t("stats.changes")],
      figures.reviewers.map((r) => [stepName(r, brands), r.reviewer, number(r.decisions, 0),
        number(r.median_hours_to_decision), number(r.p90_hours_to_decision), percent(r.changes_requested_rate)]))),
  );
  if (figures.brands.length) {
    parts.push(h("section", { class: "card stats-brands" }, h("h2", { text: t("stats.schedule") }), table(
      [t("stats.brand"), t("stats.scheduled"), t("stats.median"), t("stats.p90"), t("stats.onTime")],
      figures.brands.map((b) => [b.brand, number(b.scheduled, 0), number(b.median_hours_to_schedule),
        number(b.p90_hours_to_schedule), percent(b.on_time_rate)]))));
  }
  if (figures.answers.length) {
    parts.push(chartSection("stats-answers", t("stats.answers"), table(
      [t("stats.brand"), t("stats.incoming"), t("stats.answered"), t("stats.median"), t("stats.p90"), t("stats.within")],
      figures.answers.map((a) => [a.brand, number(a.incoming, 0), number(a.answered, 0),
        number(a.median_hours_to_answer), number(a.p90_hours_to_answer),
        `${percent(a.answered_within_rate)} (${t("stats.hours", { n: number(a.answer_within_hours) })})`]))));
  }
  return parts;
}

function tile(label, value, key) {
  return h("div", { class: "stats-tile", dataset: { figure: key } }, h("dt", { text: label }), h("dd", { text: value }));
}

function chartSection(id, title, details) {
  return h("section", { class: "card stats-chart", id },
    h("h2", { text: title }),
    h("div", { class: "chart-box" }, h("canvas", { role: "img", "aria-label": title })),
    details);
}

function table(headings, rows) {
  if (!rows.length) return h("p", { class: "empty", text: t("stats.none") });
  return h("table", { class: "stats-table" },
    h("thead", {}, h("tr", {}, headings.map((text) => h("th", { scope: "col", text })))),
    h("tbody", {}, rows.map((cells) => h("tr", {}, cells.map((text) => h("td", { text }))))));
}

function bars(canvas, Chart, labels, datasets, unit) {
  if (!canvas) return;
  new Chart(canvas, {
    type: "bar",
    data: { labels, datasets },
    options: {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      scales: { y: { beginAtZero: true, title: { display: true, text: unit } } },
    },
  });
}

function drawCharts(body, figures, Chart) {
  const canvas = (id) => body.querySelector(`#${id} canvas`);
  const brands = new Set(figures.steps.map((s) => s.brand)).size;
  const steps = figures.steps.map((s) => stepName(s, brands));
  bars(canvas("stats-lead"), Chart, steps, [
    { label: t("stats.median"), data: figures.steps.map((s) => s.median_hours_to_decision), backgroundColor: COLORS.median },
    { label: t("stats.p90"), data: figures.steps.map((s) => s.p90_hours_to_decision), backgroundColor: COLORS.p90 },
  ], t("stats.hoursUnit"));
  bars(canvas("stats-changes"), Chart, steps, [
    { label: t("stats.changes"), data: figures.steps.map((s) => (s.changes_requested_rate ?? 0) * 100), backgroundColor: COLORS.rate },
  ], "%");
  const channels = Object.keys(figures.failures);
  bars(canvas("stats-failures"), Chart, channels, [
    { label: t("stats.failed"), data: channels.map((c) => figures.failures[c]), backgroundColor: COLORS.fail },
  ], t("stats.count"));
  bars(canvas("stats-answers"), Chart, figures.answers.map((a) => a.brand), [
    { label: t("stats.median"), data: figures.answers.map((a) => a.median_hours_to_answer), backgroundColor: COLORS.answer },
    { label: t("stats.p90"), data: figures.answers.map((a) => a.p90_hours_to_answer), backgroundColor: COLORS.p90 },
  ], t("stats.hoursUnit"));
}
