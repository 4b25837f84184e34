// chart.js: an SVG bar chart of sockserve's ratios against each case's peers, drawn from a run's
// own results (the figure README.md shows). One bar per ratio column; targets are marked.

const esc = (s) => String(s).replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);

/** renderChart returns the SVG text for a run (the object writeResults stores as results.json). */
export function renderChart(run) {
  const bars = [];
  for (const c of run.cases) {
    if (c.error) continue;
    const me = c.peers.find((p) => p.name === "sockserve" && !p.standIn);
    if (!me) continue;
    for (const r of me.ratios) {
      if (r.ratio == null || r.vs === "sockserve") continue;
      const target = (c.targets ?? []).find((t) => t.vs === r.vs && t.metric === r.metric);
      bars.push({ label: `${c.name} · ${r.metric} vs ${r.vs}`, ratio: r.ratio, min: target?.min });
    }
  }
  const width = 760;
  const left = 300;
  const row = 26;
  const top = 40;
  const height = top + bars.length * row + 40;
  const max = Math.max(2, ...bars.map((b) => b.ratio), ...bars.map((b) => b.min ?? 0)) * 1.1;
  const x = (v) => left + ((width - left - 60) * v) / max;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="12" y="22" font-size="14" font-weight="600">sockserve relative to each peer (higher is better; "ms to reach all": lower is better)</text>`,
  ];
  bars.forEach((b, i) => {
    const y = top + i * row;
    const met = b.min == null || b.ratio >= b.min;
    parts.push(
      `<text x="${left - 8}" y="${y + 15}" text-anchor="end">${esc(b.label)}</text>`,
      `<rect x="${left}" y="${y + 4}" width="${Math.max(1, x(b.ratio) - left).toFixed(1)}" height="16" fill="${met ? "#2563eb" : "#dc2626"}"/>`,
      `<text x="${(x(b.ratio) + 4).toFixed(1)}" y="${y + 16}">${b.ratio.toFixed(2)}×</text>`,
    );
    if (b.min != null) parts.push(`<line x1="${x(b.min).toFixed(1)}" x2="${x(b.min).toFixed(1)}" y1="${y + 1}" y2="${y + 23}" stroke="#111" stroke-width="2"><title>target ${b.min}×</title></line>`);
  });
  const one = x(1).toFixed(1);
  parts.push(
    `<line x1="${one}" x2="${one}" y1="${top - 4}" y2="${top + bars.length * row}" stroke="#888" stroke-dasharray="4 3"/>`,
    `<text x="${one}" y="${top + bars.length * row + 16}" text-anchor="middle" fill="#555">1×</text>`,
    `<text x="12" y="${height - 10}" fill="#555">${esc(`${run.date.slice(0, 10)} · ${run.machine.cpu}, ${run.machine.cores} cores · Node ${run.machine.node} · black tick = target`)}</text>`,
    "</svg>",
  );
  return parts.join("\n") + "\n";
}
