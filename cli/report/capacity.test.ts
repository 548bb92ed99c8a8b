import { describe, expect, it } from 'vitest';
import { capacity, HEADROOM } from './capacity.ts';

const base = { arrivalSource: 'test', taskSource: 'test' };

describe("capacity by Little's law", () => {
  it('sizes workers for λ·W and QStash for λ × ACK time, with headroom', () => {
    const result = capacity({ ...base, arrivalRate: 2, taskSeconds: 30, ackSeconds: 0.01 });

    expect(HEADROOM).toBe(1.3);
    expect(result.workers).toEqual({ average: 60, slots: 78 });
    expect(result.qstashWithAckflow?.average).toBeCloseTo(0.02, 10);
    expect(result.qstashWithAckflow?.slots).toBe(1);
    expect(result.qstashHoldingSlot).toEqual({ average: 60, slots: 78 });
    expect(result.maxRate).toBeNull();
  });

  it('says what a given QStash parallelism allows either way', () => {
    // DESIGN.md: ten slots and 30 s tasks give 0.33 tasks/s when each slot is held.
    const result = capacity({
      ...base,
      arrivalRate: 1,
      taskSeconds: 30,
      ackSeconds: 0.02,
      qstashParallelism: 10,
    });

    expect(result.maxRate?.holdingSlot).toBeCloseTo(1 / 3, 10);
    expect(result.maxRate?.withAckflow).toBeCloseTo(500, 10);
  });

  it('leaves a figure out when one of its inputs is unknown', () => {
    const result = capacity({ ...base, arrivalRate: 1, taskSeconds: null, ackSeconds: 0.005 });

    expect(result.workers).toBeNull();
    expect(result.qstashHoldingSlot).toBeNull();
    expect(result.qstashWithAckflow?.slots).toBe(1);
  });
});
