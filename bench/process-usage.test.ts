import { describe, expect, it } from 'vitest';
import { readUsage, summarizeUsage } from './process-usage.ts';

describe('readUsage', () => {
  it("reads this process's resident memory and CPU time from /proc", async () => {
    const before = await readUsage(process.pid);
    const until = Date.now() + 150;
    while (Date.now() < until); // burn CPU so the counter moves
    const after = await readUsage(process.pid);
    expect(before.rssBytes).toBeGreaterThan(10 * 2 ** 20);
    expect(Math.abs(before.rssBytes - process.memoryUsage().rss)).toBeLessThan(64 * 2 ** 20);
    expect(after.cpuSeconds - before.cpuSeconds).toBeGreaterThanOrEqual(0.1);
  });
});

describe('summarizeUsage', () => {
  it('gives the peak and mean memory and the cores kept busy', () => {
    const summary = summarizeUsage([
      { atMs: 0, rssBytes: 100, cpuSeconds: 1 },
      { atMs: 1000, rssBytes: 300, cpuSeconds: 1.5 },
      { atMs: 2000, rssBytes: 200, cpuSeconds: 2 },
    ]);
    expect(summary).toEqual({ samples: 3, peakRssBytes: 300, meanRssBytes: 200, cpuCores: 0.5 });
  });
});
