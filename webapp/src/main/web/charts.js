// Small SVG charts for canary reports: two histograms over shared bins, and two rates side by side.
import { html } from './ui.js';

const W = 360;
const H = 140;
const PAD = { left: 36, right: 8, top: 8, bottom: 26 };

const fmt = (v) => (v == null ? '–' : Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 1 ? v.toFixed(1) : v.toPrecision(2));

/** Canary and baseline distributions over the same bins, each as the share of its own samples per bin. */
export function HistogramChart({ edges, canary, baseline, unit = '' }) {
  if (!edges || !canary || !baseline || !canary.histogram || !baseline.histogram) {
    return html`<p class="muted small">No distribution yet (too few samples).</p>`;
  }
  const share = (s) => {
    const total = s.histogram.reduce((a, b) => a + b, 0) || 1;
    return s.histogram.map((c) => c / total);
  };
  const c = share(canary);
  const b = share(baseline);
  const bins = c.length;
  const top = Math.max(...c, ...b, 0.01);
  const innerW = W - PAD.left - PAD.right;
  const innerH = H - PAD.top - PAD.bottom;
  const bw = innerW / bins;
  const y = (v) => PAD.top + innerH - (v / top) * innerH;
  const bar = (values, cls, offset) => values.map((v, i) => html`<rect class=${cls}
      x=${PAD.left + i * bw + offset * bw / 2 + 0.5} y=${y(v)} width=${Math.max(bw / 2 - 1, 1)} height=${PAD.top + innerH - y(v)}>
      <title>${`${fmt(edges[i])}–${fmt(edges[i + 1])}${unit}: ${(v * 100).toFixed(1)} %`}</title></rect>`);
  return html`<svg class="chart" viewBox=${`0 0 ${W} ${H}`} role="img"
      aria-label=${`latency distribution, canary median ${fmt(canary.median)}${unit}, baseline median ${fmt(baseline.median)}${unit}`}>
    <line class="axis" x1=${PAD.left} y1=${PAD.top + innerH} x2=${W - PAD.right} y2=${PAD.top + innerH} />
    <text class="tick" x=${PAD.left - 4} y=${PAD.top + 8} text-anchor="end">${Math.round(top * 100)}%</text>
    <text class="tick" x=${PAD.left - 4} y=${PAD.top + innerH} text-anchor="end">0</text>
    ${bar(b, 'baseline', 0)}
    ${bar(c, 'canary', 1)}
    ${[0, Math.floor(bins / 2), bins].map((i) => html`<text class="tick" x=${PAD.left + i * bw} y=${H - 10}
      text-anchor="middle">${fmt(edges[i])}${unit}</text>`)}
  </svg>`;
}

/** Error rates of canary and baseline as two bars, with the counts they come from. */
export function RateChart({ canary, baseline }) {
  if (!canary || !baseline) return html`<p class="muted small">No error counts yet.</p>`;
  const rates = [['baseline', baseline], ['canary', canary]];
  const top = Math.max(canary.rate || 0, baseline.rate || 0, 0.01);
  const innerW = W - PAD.left - PAD.right - 120;
  return html`<svg class="chart" viewBox=${`0 0 ${W} 70`} role="img"
      aria-label=${`error rate, canary ${pct(canary.rate)}, baseline ${pct(baseline.rate)}`}>
    ${rates.map(([name, s], i) => html`<g>
      <text class="tick" x="2" y=${22 + i * 28}>${name}</text>
      <rect class=${name} x="70" y=${10 + i * 28} height="16" width=${Math.max(((s.rate || 0) / top) * innerW, 1)} />
      <text class="tick" x=${76 + Math.max(((s.rate || 0) / top) * innerW, 1)} y=${22 + i * 28}>${pct(s.rate)} (${s.errors}/${s.count})</text>
    </g>`)}
  </svg>`;
}

export const pct = (rate) => (rate == null ? '–' : (rate * 100).toFixed(rate < 0.01 ? 2 : 1) + ' %');
