import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { addLine, emptyRecords, epochMs, readLogs } from './logs.ts';

const delivery = {
  level: 30,
  time: '2026-12-03T20:04:32.434Z',
  taskId: 'task-1',
  taskQueue: 'ackflow-light',
  ackMs: 48.83,
  outcome: 'accepted',
  retryCount: 0,
  msg: 'delivery',
};

describe('reading log lines', () => {
  it('keeps delivery, task started and task finished lines', async () => {
    const lines = [
      JSON.stringify(delivery),
      JSON.stringify({ time: 1796328000100, taskId: 'task-1', msg: 'task started' }),
      JSON.stringify({
        time: 1796328000900,
        taskId: 'task-1',
        state: 'failed',
        msg: 'task finished',
      }),
    ];
    const records = await readLogs(Readable.from(lines.join('\n')));

    expect(records.deliveries).toEqual([
      expect.objectContaining({ ackMs: 48.83, outcome: 'accepted', taskQueue: 'ackflow-light' }),
    ]);
    expect(records.started).toEqual([expect.objectContaining({ time: 1796328000100 })]);
    expect(records.finished).toEqual([expect.objectContaining({ state: 'failed' })]);
    expect(records.lines).toBe(3);
  });

  it('skips and counts lines that are not JSON, other messages and unusable lines', () => {
    const records = emptyRecords();
    for (const raw of [
      'ackflow is running',
      '[1, 2]',
      '{"time": 1, "msg": "Worker state changed"}',
      '{"time": "yesterday", "msg": "delivery"}',
      '{"time": 1, "msg": "task started"}',
      '   ',
    ]) {
      addLine(records, raw);
    }

    expect(records.skipped).toEqual({ notJson: 2, otherMessage: 1, unusable: 2 });
    expect(records.lines).toBe(5);
    expect(records.deliveries).toHaveLength(0);
  });

  it('reads pino times as epoch milliseconds or ISO strings', () => {
    expect(epochMs(1796328000021)).toBe(1796328000021);
    expect(epochMs('2026-12-03T20:00:00.021Z')).toBe(1796328000021);
    expect(epochMs('soon')).toBeUndefined();
    expect(epochMs(undefined)).toBeUndefined();
  });
});
