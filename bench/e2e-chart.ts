/**
 * `bench e2e` as one self-contained SVG: two panels of horizontal bars, one per contestant.
 * Steady tasks per second sit on a linear axis; mean slot hold on a logarithmic one, since
 * inline holds a slot for seconds and the others for milliseconds. Each bar carries its value.
 */
import { decades, label } from '../cli/report/svg.ts';
import type { E2eResult } from './e2e.ts';

const WIDTH = 760;
const ROW = 34;
const TOP = 70;
const PANEL = { left: 90, width: 250, gap: 60 };
const COLOURS: Record<string, string> = {
  inline: '#e45756',
  durable: '#4c78a8',
  bullmq: '#72b7b2',
};

const bar = (x: number, y: number, width: number, colour: string) =>
  `<rect x="${x}" y="${y}" width="${width.toFixed(1)}" height="20" fill="${colour}"/>`;

export interface E2eChartContext {
  parallelism: number;
  taskSeconds: number;
  arrivalsPerSecond: number;
  date: string;
}

export function renderE2eSvg(results: readonly E2eResult[], context: E2eChartContext): string {
  const height = TOP + results.length * ROW + 50;
  const rates = results.map((r) =>
    Number.isFinite(r.steadyTasksPerSecond) ? r.steadyTasksPerSecond : 0,
  );
  const holds = results.map((r) => r.holdMs.mean);
  const maxRate = Math.max(...rates, 1);
  const [low, high] = decades(holds);
  const logX = (ms: number) => (ms > 0 ? ((Math.log10(ms) - low) / (high - low)) * PANEL.width : 0);
  const holdLeft = PANEL.left + PANEL.width + PANEL.gap + 40;

  const parts: string[] = [];
  const arrivals = context.arrivalsPerSecond ? `${context.arrivalsPerSecond}/s` : 'at once';
  const title =
    `ackflow bench e2e — N = ${context.parallelism}, ` +
    `tasks of ${context.taskSeconds} s, published ${arrivals}`;
  parts.push(
    label(20, 24, title, 'font-size="15" font-weight="bold"'),
    label(20, 44, context.date, 'font-size="11" fill="#555"'),
    label(PANEL.left, TOP - 10, 'steady tasks/s (more is better)', 'font-size="12"'),
    label(holdLeft, TOP - 10, 'mean slot hold, log scale (less is better)', 'font-size="12"'),
  );
  for (let decade = low; decade <= high; decade += 1) {
    const x = holdLeft + logX(10 ** decade);
    const bottom = TOP + results.length * ROW;
    parts.push(
      `<line x1="${x.toFixed(1)}" y1="${TOP}" x2="${x.toFixed(1)}" y2="${bottom}" stroke="#ddd"/>`,
      label(
        x,
        bottom + 16,
        `${10 ** decade} ms`,
        'font-size="10" text-anchor="middle" fill="#555"',
      ),
    );
  }
  results.forEach((result, index) => {
    const y = TOP + index * ROW + 6;
    const colour = COLOURS[result.name] ?? '#888';
    const rateWidth = ((rates[index] ?? 0) / maxRate) * PANEL.width;
    const holdWidth = logX(holds[index] ?? 0);
    parts.push(
      label(PANEL.left - 8, y + 15, result.name, 'font-size="12" text-anchor="end"'),
      bar(PANEL.left, y, rateWidth, colour),
      label(PANEL.left + rateWidth + 4, y + 15, (rates[index] ?? 0).toFixed(2), 'font-size="11"'),
      bar(holdLeft, y, holdWidth, colour),
      label(
        holdLeft + holdWidth + 4,
        y + 15,
        `${(holds[index] ?? 0).toFixed(1)} ms`,
        'font-size="11"',
      ),
    );
  });
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" ` +
      'font-family="sans-serif">',
    `<rect width="${WIDTH}" height="${height}" fill="white"/>`,
    ...parts,
    '</svg>',
    '',
  ].join('\n');
}
