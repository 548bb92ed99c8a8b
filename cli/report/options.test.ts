import { describe, expect, it } from 'vitest';
import { parseReportOptions, parseWorkerSlots } from './options.ts';
import { halfOf, parseDuration, windowFromFlags } from './window.ts';

const NOW = Date.parse('2026-12-03T21:00:00Z');

describe('report options', () => {
  it('defaults to Markdown, no visibility and no known worker slots', () => {
    expect(parseReportOptions(['--logs', '-'], NOW)).toEqual({
      logs: '-',
      visibility: false,
      window: undefined,
      format: 'markdown',
      out: undefined,
      workerSlots: {},
      arrivalRate: undefined,
      taskSeconds: undefined,
      qstashParallelism: undefined,
      help: false,
    });
  });

  it('reads --since as the time up to now, and --from without --to as up to now', () => {
    const hour = { from: NOW - 3_600_000, to: NOW };
    expect(parseReportOptions(['--since', '1h'], NOW).window).toEqual(hour);
    expect(windowFromFlags({ from: '2026-12-03T20:00:00Z' }, NOW)).toEqual(hour);
    expect(parseDuration('90s')).toBe(90_000);
    expect(parseDuration('1.5d')).toBe(129_600_000);
  });

  it('takes worker slots for every queue or queue by queue', () => {
    expect(parseWorkerSlots('8')).toEqual({ '*': 8 });
    expect(parseWorkerSlots('ackflow-light=8, ackflow-heavy=2')).toEqual({
      'ackflow-light': 8,
      'ackflow-heavy': 2,
    });
  });

  it('says what it expected when a flag is wrong', () => {
    expect(() => parseWorkerSlots('ackflow-light=lots')).toThrow(/whole number above 0/);
    expect(() => parseReportOptions(['--arrival-rate', '-1'], NOW)).toThrow(/--arrival-rate/);
    expect(() => parseReportOptions(['--since', 'an hour'], NOW)).toThrow(/90s, 15m, 1h/);
    expect(() => parseReportOptions(['--to', '2026-12-03T20:00:00Z'], NOW)).toThrow(/--from/);
    expect(() =>
      parseReportOptions(['--from', '2026-12-03T20:00:00Z', '--to', '2026-12-03'], NOW),
    ).toThrow(/before --from/);
  });

  it('splits a window in halves, the middle instant going to the second', () => {
    const window = { from: 0, to: 100 };
    expect([halfOf(window, 0), halfOf(window, 49), halfOf(window, 50)]).toEqual([0, 0, 1]);
    expect(halfOf(window, 101)).toBeUndefined();
  });
});
