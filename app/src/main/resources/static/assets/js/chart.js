// Line charts as hand-written SVG: series over time plus labelled horizontal reference lines.
import { h } from './dom.js';

const W = 760;
const H = 280;
const PAD = { top: 16, right: 118, bottom: 34, left: 72 };
const LABEL_GAP = 14;

function niceTicks(min, max, count) {
  if (min === max) return [min];
  const span = max - min;
  const step0 = span / count;
  const mag = 10 ** Math.floor(Math.log10(step0));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => span / s <= count) ?? 10 * mag;
  const ticks = [];
  for (let v = Math.ceil(min / step) * step; v <= max + step * 1e-9; v += step) ticks.push(Number(v.toFixed(10)));
  return ticks;
}

/**
 * lineChart({title, desc, series: [{label, cls, points: [{x: ms, y}]}], lines: [{label, cls, y, key}],
 *            formatX, formatY}) → an <svg role="img"> with a title and description for screen readers.
 */
export function lineChart({ title, desc, series, lines = [], formatX, formatY, className = '' }) {
  const ys = [];
  const xs = [];
  for (const s of series) {
    for (const p of s.points) {
      xs.push(p.x);
      ys.push(p.y);
    }
  }
  for (const l of lines) ys.push(l.y);
  const svg = h('svg:svg', {
    viewBox: `0 0 ${W} ${H}`, role: 'img', class: `chart ${className}`.trim(), 'aria-labelledby': '', preserveAspectRatio: 'xMidYMid meet',
  });
  const titleId = `chart-title-${Math.random().toString(36).slice(2, 9)}`;
  svg.setAttribute('aria-labelledby', `${titleId} ${titleId}-d`);
  svg.append(h('svg:title', { id: titleId }, title), h('svg:desc', { id: `${titleId}-d` }, desc));
  if (ys.length === 0) {
    svg.append(h('svg:text', { x: W / 2, y: H / 2, 'text-anchor': 'middle', class: 'chart-empty' }, 'No data yet'));
    return svg;
  }
  let yMin = Math.min(...ys);
  let yMax = Math.max(...ys);
  if (yMin === yMax) {
    const pad = Math.abs(yMin) * 0.05 || 1;
    yMin -= pad;
    yMax += pad;
  } else {
    const pad = (yMax - yMin) * 0.08;
    yMin -= pad;
    yMax += pad;
  }
  let xMin = xs.length ? Math.min(...xs) : 0;
  let xMax = xs.length ? Math.max(...xs) : 1;
  if (xMin === xMax) {
    xMin -= 1;
    xMax += 1;
  }
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const sx = (x) => PAD.left + ((x - xMin) / (xMax - xMin)) * plotW;
  const sy = (y) => PAD.top + (1 - (y - yMin) / (yMax - yMin)) * plotH;

  const grid = h('svg:g', { class: 'chart-grid', 'aria-hidden': 'true' });
  for (const t of niceTicks(yMin, yMax, 5)) {
    grid.append(
      h('svg:line', { x1: PAD.left, x2: W - PAD.right, y1: sy(t), y2: sy(t) }),
      h('svg:text', { x: PAD.left - 8, y: sy(t) + 4, 'text-anchor': 'end', class: 'chart-tick' }, formatY(t)),
    );
  }
  if (xs.length) {
    const n = Math.min(4, new Set(xs).size);
    for (let i = 0; i < n; i += 1) {
      const x = n === 1 ? xs[0] : xMin + ((xMax - xMin) * i) / (n - 1);
      grid.append(h('svg:text', {
        x: sx(x), y: H - 10, 'text-anchor': i === 0 && n > 1 ? 'start' : i === n - 1 && n > 1 ? 'end' : 'middle', class: 'chart-tick',
      }, formatX(x)));
    }
  }
  grid.append(h('svg:rect', { x: PAD.left, y: PAD.top, width: plotW, height: plotH, class: 'chart-frame' }));
  svg.append(grid);

  // labels of lines close together are spread apart so that none hides another
  const placed = lines.map((l) => ({ l, y: sy(l.y), labelY: sy(l.y) })).sort((a, b) => a.y - b.y);
  for (let i = 1; i < placed.length; i += 1) {
    placed[i].labelY = Math.max(placed[i].labelY, placed[i - 1].labelY + LABEL_GAP);
  }
  const overflow = placed.length ? placed[placed.length - 1].labelY - (H - PAD.bottom) : 0;
  if (overflow > 0) for (const p of placed) p.labelY -= overflow;
  for (const { l, y, labelY } of placed) {
    svg.append(h('svg:g', { class: `chart-hline ${l.cls}`, dataset: { line: l.key } },
      h('svg:line', { x1: PAD.left, x2: W - PAD.right, y1: y, y2: y }),
      h('svg:text', { x: W - PAD.right + 6, y: labelY + 4, class: 'chart-hline-label' }, `${l.label} ${formatY(l.y)}`)));
  }
  for (const s of series) {
    if (s.points.length === 0) continue;
    const g = h('svg:g', { class: `chart-series ${s.cls}`, dataset: { series: s.label } });
    if (s.points.length === 1) {
      g.append(h('svg:circle', { cx: sx(s.points[0].x), cy: sy(s.points[0].y), r: 4 }));
    } else {
      const d = s.points.map((p, i) => `${i ? 'L' : 'M'}${sx(p.x).toFixed(1)},${sy(p.y).toFixed(1)}`).join(' ');
      g.append(h('svg:path', { d }));
    }
    svg.append(g);
  }
  return svg;
}

/** A legend for a chart: a list of swatches with labels. */
export function legend(items) {
  return h('ul', { class: 'legend' }, items.map((i) => h('li', {}, h('span', { class: `swatch ${i.cls}`, 'aria-hidden': 'true' }), i.label)));
}
