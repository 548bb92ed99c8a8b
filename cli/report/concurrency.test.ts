import { describe, expect, it } from 'vitest';
import { peakConcurrency } from './concurrency.ts';
import type { TaskRecord } from './tasks.ts';

describe('peak concurrency', () => {
  const task = (startedAt: number, endedAt?: number, running = false): TaskRecord => ({
    taskId: `t${startedAt}`,
    startedAt,
    endedAt,
    running,
    startSeenByWorker: true,
  });

  it('counts overlapping tasks, frees a slot before the next start at the same instant', () => {
    const tasks = [task(0, 10), task(5, 20), task(10, 30), task(12, undefined, true)];

    expect(peakConcurrency(tasks, { from: 0, to: 100 })).toEqual({ peak: 3, unknownEnd: 0 });
  });

  it('leaves out tasks with no known end instead of counting them as busy', () => {
    expect(peakConcurrency([task(0, 10), task(1)], { from: 0, to: 100 })).toEqual({
      peak: 1,
      unknownEnd: 1,
    });
  });
});
