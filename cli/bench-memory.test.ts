import { describe, expect, it } from 'vitest';
import { memoryLines, type MemoryResult } from './bench-memory.ts';

const MiB = 2 ** 20;
const result = (peakMiB: number, minSlots = 200): MemoryResult => ({
  deployment: 'split',
  activities: 200,
  slotsInUse: { min: minSlots, max: 200 },
  idleRssBytes: 190 * MiB,
  peakRssBytes: peakMiB * MiB,
  meanRssBytes: peakMiB * MiB,
  cpuCores: 0.3,
  workflowsWorker: { samples: 4, peakRssBytes: 320 * MiB, meanRssBytes: 318 * MiB, cpuCores: 0 },
});

describe('memoryLines', () => {
  it('holds the activities worker to 250 MB, which is 238.4 MiB', () => {
    expect(memoryLines(result(238)).at(-1)).toMatch(
      /^PASS {2}activities worker ≤ 250 MB \(238\.4 MiB\)/,
    );
    expect(memoryLines(result(239)).at(-1)).toMatch(/^MISS /);
  });

  it('misses when fewer than 200 activities were running at once', () => {
    expect(memoryLines(result(200, 199)).at(-1)).toMatch(/^MISS /);
  });

  it('names the workflows worker of a split deployment with its own figures', () => {
    expect(memoryLines(result(200))).toContain(
      'workflows worker holding their 200 workflows: ' +
        '318.0 MiB mean, 320.0 MiB peak, 0.0% of one core',
    );
  });
});
