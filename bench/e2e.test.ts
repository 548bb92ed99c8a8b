import { describe, expect, it } from 'vitest';
import { e2eLines, parseE2eOptions } from '../cli/bench-e2e.ts';
import { renderE2eSvg } from './e2e-chart.ts';
import { type E2eResult, steadyRate, taskPrompt } from './e2e.ts';
import { summarize } from './percentiles.ts';

describe('steadyRate', () => {
  it('gives N ÷ task time for tasks that finish in waves of N', () => {
    // Ten slots, tasks of 5 s: eight waves of ten finishing a few ms apart.
    const finishes = Array.from({ length: 80 }, (_, i) => 5_000 * (Math.floor(i / 10) + 1) + i);
    expect(steadyRate(finishes)).toBeCloseTo(2, 0);
  });

  it('gives the finishing rate of evenly spaced finishes, in any order', () => {
    const finishes = Array.from({ length: 500 }, (_, i) => 1_000 + i * 20).reverse();
    expect(steadyRate(finishes)).toBeCloseTo(50, 0);
  });

  it('is NaN when every task finished at the same moment', () => {
    expect(steadyRate([7, 7, 7])).toBeNaN();
    expect(steadyRate([])).toBeNaN();
  });
});

describe('taskPrompt', () => {
  it('paces a task to its length at the given tokens per second', () => {
    const load = { parallelism: 10, taskSeconds: 5, tokensPerSecond: 20, arrivalsPerSecond: 0 };
    expect(taskPrompt('t1', load)).toMatch(/\[\[mock:tokens=100\]\] \[\[mock:tps=20\]\]$/);
  });
});

describe('parseE2eOptions', () => {
  it('takes the full profile by default and the quick one with --quick', () => {
    expect(parseE2eOptions([])).toMatchObject({ rate: 50, taskSeconds: 5, durableTasks: 400 });
    expect(parseE2eOptions(['--quick'])).toMatchObject({ rate: 25, taskSeconds: 2 });
  });

  it('lets --rate 0 publish each batch at once, and refuses what is not a count', () => {
    expect(parseE2eOptions(['--rate', '0']).rate).toBe(0);
    expect(() => parseE2eOptions(['--rate', '2.5'])).toThrow(/--rate must be a whole number/);
    expect(() => parseE2eOptions(['--parallelism', '0'])).toThrow(/from 1 to 1000; got 0/);
    expect(() => parseE2eOptions(['--peer', 'kafka'])).toThrow(/bullmq or none; got kafka/);
  });
});

function result(name: string, steady: number, holdMs: number, finished = 100): E2eResult {
  return {
    name,
    tasks: 100,
    finished,
    deadLettered: 0,
    attempts: 100,
    failedAttempts: 0,
    answers: { 200: 100 },
    makespanS: 10,
    tasksPerSecond: finished / 10,
    steadyTasksPerSecond: steady,
    holdMs: summarize([holdMs]),
    maxInFlight: 10,
  };
}

describe('e2eLines', () => {
  const load = { parallelism: 10, taskSeconds: 5, tokensPerSecond: 20, arrivalsPerSecond: 50 };

  it('passes durable when it beats inline twenty times over with a short hold', () => {
    const lines = e2eLines([result('inline', 2, 5_000), result('durable', 48, 12)], load);
    expect(lines).toContain('PASS  durable tasks/s ≥ 20 × inline: ×24.0');
    expect(lines).toContain('PASS  durable slot hold ≤ 0.5% of inline: 0.240%');
  });

  it("compares with inline's ceiling N ÷ task time when inline measured less", () => {
    const lines = e2eLines([result('inline', 1.5, 5_000), result('durable', 35, 40)], load);
    expect(lines).toContain('MISS  durable tasks/s ≥ 20 × inline: ×17.5');
    expect(lines).toContain('MISS  durable slot hold ≤ 0.5% of inline: 0.800%');
  });

  it('misses both targets when some durable tasks never finished', () => {
    const lines = e2eLines([result('inline', 2, 5_000), result('durable', 48, 12, 99)], load);
    expect(lines.filter((line) => line.startsWith('MISS'))).toHaveLength(2);
  });
});

describe('renderE2eSvg', () => {
  it('draws a bar with its value for every contestant', () => {
    const svg = renderE2eSvg([result('inline', 2, 5_000), result('durable', 48, 12)], {
      parallelism: 10,
      taskSeconds: 5,
      arrivalsPerSecond: 50,
      date: 'Fri, 04 Dec 2026 06:00:00 GMT',
    });
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('>inline<');
    expect(svg).toContain('>48.00<');
    expect(svg).toContain('>12.0 ms<');
    expect(svg.match(/<rect /g)).toHaveLength(5);
  });
});
