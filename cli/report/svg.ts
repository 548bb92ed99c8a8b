/**
 * The three curves as one self-contained SVG: a group of P50/P90/P99 bars per curve on a
 * logarithmic axis, since ACK times are milliseconds and execution times can be minutes.
 * Every bar carries its value, so the chart reads without the axis.
 */
import { duration } from './format.ts';
import type { Report } from './report.ts';
import { type Curve, CURVES } from './stats.ts';

const WIDTH = 720;
const HEIGHT = 380;
const PLOT = { left: 80, right: 20, top: 64, bottom: 70 };
const PERCENTILES = [
  ['p50', 'P50', '#4c78a8'],
  ['p90', 'P90', '#f58518'],
  ['p99', 'P99', '#e45756'],
] as const;

export const escapeXml = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export function label(x: number, y: number, content: string, attributes = '') {
  return `<text x="${x.toFixed(1)}" y="${y.toFixed(1)}" ${attributes}>${escapeXml(content)}</text>`;
}

/** Whole decades around the values, so gridlines fall on 1 ms, 10 ms, 100 ms, 1 s… */
export function decades(values: number[]): [number, number] {
  const positive = values.filter((value) => value > 0);
  if (positive.length === 0) return [0, 1];
  const low = Math.floor(Math.log10(Math.min(...positive)));
  const high = Math.ceil(Math.log10(Math.max(...positive)));
  return [low, Math.max(high, low + 1)];
}

export function renderSvg(report: Report): string {
  const curves: [string, Curve][] = CURVES.map(([field, name]) => [name, report.overall[field]]);
  const values = curves.flatMap(([, curve]) => PERCENTILES.flatMap(([key]) => curve[key] ?? []));
  const [low, high] = decades(values);
  const plotWidth = WIDTH - PLOT.left - PLOT.right;
  const plotHeight = HEIGHT - PLOT.top - PLOT.bottom;
  const bottom = PLOT.top + plotHeight;
  // Values below the lowest decade (0 ms) sit on the axis rather than off the chart.
  const y = (ms: number) =>
    bottom - (Math.max(0, Math.log10(Math.max(ms, 10 ** low)) - low) / (high - low)) * plotHeight;

  const parts: string[] = [
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="#ffffff"/>`,
    label(WIDTH / 2, 24, 'ackflow: queue wait, ACK time and execution time', 'class="title"'),
    label(WIDTH / 2, 40, `${report.window.from} → ${report.window.to}`, 'class="small"'),
  ];
  for (let decade = low; decade <= high; decade += 1) {
    const at = y(10 ** decade);
    parts.push(
      `<line x1="${PLOT.left}" y1="${at.toFixed(1)}" x2="${WIDTH - PLOT.right}" ` +
        `y2="${at.toFixed(1)}" stroke="#dddddd"/>`,
      label(PLOT.left - 6, at + 4, duration(10 ** decade), 'class="axis"'),
    );
  }

  const groupWidth = plotWidth / curves.length;
  const barWidth = groupWidth / (PERCENTILES.length + 1.5);
  curves.forEach(([name, curve], index) => {
    const left = PLOT.left + index * groupWidth + barWidth * 0.75;
    PERCENTILES.forEach(([key, , color], bar) => {
      const x = left + bar * barWidth;
      const value = curve[key];
      const middle = x + barWidth / 2;
      if (value === null) {
        parts.push(label(middle, bottom - 4, '–', 'class="value"'));
        return;
      }
      const top = y(value);
      const box = [x + 2, top, barWidth - 4, bottom - top].map((n) => n.toFixed(1));
      parts.push(
        `<rect class="bar" x="${box[0]}" y="${box[1]}" width="${box[2]}" height="${box[3]}" ` +
          `fill="${color}"/>`,
        label(middle, top - 4, duration(value), 'class="value"'),
      );
    });
    const center = PLOT.left + (index + 0.5) * groupWidth;
    parts.push(
      label(center, bottom + 20, name, 'class="curve"'),
      label(center, bottom + 36, `n = ${curve.count}`, 'class="small"'),
    );
  });

  PERCENTILES.forEach(([, name, color], index) => {
    const x = PLOT.left + index * 70;
    parts.push(
      `<rect x="${x}" y="${HEIGHT - 18}" width="12" height="12" fill="${color}"/>`,
      label(x + 16, HEIGHT - 8, name, 'class="legend"'),
    );
  });
  parts.push(
    `<line x1="${PLOT.left}" y1="${bottom}" x2="${WIDTH - PLOT.right}" y2="${bottom}" ` +
      'stroke="#333333"/>',
  );

  const style =
    'text{font-family:system-ui,sans-serif;fill:#222222}' +
    '.title{font-size:15px;font-weight:600;text-anchor:middle}' +
    '.small{font-size:11px;text-anchor:middle;fill:#666666}' +
    '.axis{font-size:11px;text-anchor:end}.value{font-size:11px;text-anchor:middle}' +
    '.curve{font-size:13px;text-anchor:middle}.legend{font-size:12px}';
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" ` +
      `viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img">`,
    '<title>ackflow report: P50, P90 and P99 of queue wait, ACK time and execution time</title>',
    `<style>${style}</style>`,
    ...parts,
    '</svg>',
    '',
  ].join('\n');
}
