// Draws the dashboard charts from the JSON the page carries (no inline script: the data sits
// in a json_script block, which the browser does not run).
document.addEventListener("DOMContentLoaded", () => {
  const source = document.getElementById("chart-data");
  if (!source || typeof Chart === "undefined") return;
  const data = JSON.parse(source.textContent);
  const t = data.texts;
  // Every chart fills its box (.chart sets the height) and keeps its legend below the plot.
  Chart.defaults.maintainAspectRatio = false;
  Chart.defaults.plugins.legend.position = "bottom";
  Chart.defaults.plugins.legend.labels.boxWidth = 12;
  const percentAxis = { min: 0, max: 1, ticks: { callback: (v) => `${Math.round(v * 100)} %` } };
  const line = (id, datasets, options = {}) => {
    const canvas = document.getElementById(id);
    if (canvas) new Chart(canvas, { type: "line", data: { labels: data.labels, datasets }, options: { animation: false, ...options } });
  };
  line("chart-people", [
    { label: t.headcount, data: data.headcount, borderColor: "#5b6475" },
    { label: t.productive, data: data.productive, borderColor: "#2456d6" },
  ]);
  line("chart-ratio", [
    { label: t.ratio, data: data.ratio, borderColor: "#2456d6", spanGaps: true },
    { label: t.low, data: data.labels.map(() => data.band[0]), borderColor: "#1e7b43", borderDash: [4, 4], pointRadius: 0 },
    { label: t.high, data: data.labels.map(() => data.band[1]), borderColor: "#1e7b43", borderDash: [4, 4], pointRadius: 0 },
  ], { scales: { y: percentAxis } });
  // Amounts as the page writes them ("₩180.7M", "1.8억원"): the server's units, largest first.
  const amount = (v) => {
    const unit = data.amount_units.find(([size]) => Math.abs(v) >= size);
    if (!unit) return v.toLocaleString(document.documentElement.lang);
    const n = Math.round((v / unit[0]) * 10) / 10;
    return `${unit[1]}${n.toLocaleString(document.documentElement.lang)}${unit[2]}`;
  };
  const drift = document.getElementById("chart-drift");
  if (drift) new Chart(drift, { type: "bar", data: { labels: data.labels, datasets: [
    { label: t.created, data: data.created, backgroundColor: "#9db4ef" },
    { label: t.won, data: data.won, backgroundColor: "#2456d6" },
  ] }, options: { animation: false, scales: { y: { ticks: { callback: amount } } },
    plugins: { tooltip: { callbacks: { label: (c) => `${c.dataset.label}: ${amount(c.parsed.y)}` } } } } });
  const activities = document.getElementById("chart-activities");
  if (activities) new Chart(activities, { data: { labels: data.labels, datasets: [
    { type: "bar", label: t.calls, data: data.calls, backgroundColor: "#9db4ef", yAxisID: "y" },
    { type: "bar", label: t.connects, data: data.connects, backgroundColor: "#2456d6", yAxisID: "y" },
    { type: "line", label: t.speed, data: data.speed, borderColor: "#a15c00", spanGaps: true, yAxisID: "hours" },
  ] }, options: { animation: false, scales: { y: { position: "left" }, hours: { position: "right", grid: { drawOnChartArea: false } } } } });
  const colours = ["#2456d6", "#1e7b43", "#a15c00", "#b3261e", "#5b6475"];
  line("chart-funnel", Object.entries(data.conversion).map(([label, rates], i) => (
    { label, data: rates, borderColor: colours[i % colours.length], spanGaps: true }
  )), { scales: { y: percentAxis } });
});
