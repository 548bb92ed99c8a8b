import { describe, expect, it } from 'vitest';
import { percentile, summarize } from './percentiles.ts';

const oneToHundred = Array.from({ length: 100 }, (_, index) => index + 1);

describe('percentile', () => {
  it('returns the nearest-rank value of a sorted list', () => {
    expect(percentile(oneToHundred, 50)).toBe(50);
    expect(percentile(oneToHundred, 90)).toBe(90);
    expect(percentile(oneToHundred, 99)).toBe(99);
    expect(percentile(oneToHundred, 100)).toBe(100);
  });

  it('always answers with an observed value, never an interpolation', () => {
    expect(percentile([10, 20], 50)).toBe(10);
    expect(percentile([10, 20], 51)).toBe(20);
    expect(percentile([1, 2, 3, 4, 1000], 99)).toBe(1000);
  });

  it('keeps integer ranks exact where floating point would round them up', () => {
    expect(percentile(oneToHundred, 7)).toBe(7);
    expect(percentile(oneToHundred, 29)).toBe(29);
  });

  it('gives the minimum for p0 and the only value of a single sample', () => {
    expect(percentile(oneToHundred, 0)).toBe(1);
    expect(percentile([4.2], 99)).toBe(4.2);
  });

  it('is NaN for no values and refuses a p outside 0..100', () => {
    expect(percentile([], 50)).toBeNaN();
    expect(() => percentile(oneToHundred, 101)).toThrow(RangeError);
    expect(() => percentile(oneToHundred, Number.NaN)).toThrow(RangeError);
  });
});

describe('summarize', () => {
  it('sorts a copy and reports count, mean and percentiles', () => {
    const values = [...oneToHundred].reverse();
    expect(summarize(values)).toEqual({
      count: 100,
      min: 1,
      mean: 50.5,
      p50: 50,
      p90: 90,
      p99: 99,
      max: 100,
    });
    expect(values[0]).toBe(100);
  });

  it('reports NaN figures for an empty run rather than zeros that look fast', () => {
    const summary = summarize([]);
    expect(summary.count).toBe(0);
    expect(summary.p99).toBeNaN();
    expect(summary.max).toBeNaN();
  });
});
