import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { runOpenLoop } from './open-loop.ts';

describe('runOpenLoop', () => {
  it('sends by the clock while earlier requests are still waiting for answers', async () => {
    const result = await runOpenLoop({
      rate: 100,
      durationMs: 200,
      timeoutMs: 1_000,
      send: async () => {
        await sleep(50);
        return { ok: true, label: '200' };
      },
    });

    expect(result.samples).toHaveLength(20);
    expect(result.samples.map((sample) => sample.dueMs)).toEqual(
      Array.from({ length: 20 }, (_, index) => index * 10),
    );
    // A closed loop would have had one request in flight and taken a second.
    expect(result.maxInFlight).toBeGreaterThanOrEqual(4);
    expect(result.wallMs).toBeLessThan(600);
    for (const sample of result.samples) {
      expect(sample.lagMs).toBeGreaterThanOrEqual(0);
      expect(sample.latencyMs).toBeGreaterThanOrEqual(45);
    }
  });

  it('records a thrown error as a failed sample with its name and socket code', async () => {
    const result = await runOpenLoop({
      rate: 50,
      durationMs: 40,
      timeoutMs: 1_000,
      send: async (index) => {
        if (index === 1) {
          throw new TypeError('fetch failed', { cause: { code: 'ECONNRESET' } });
        }
        return { ok: true, label: '200' };
      },
    });

    expect(result.samples.map((sample) => [sample.ok, sample.label])).toEqual([
      [true, '200'],
      [false, 'TypeError(ECONNRESET)'],
    ]);
  });

  it('hands every request a signal that aborts after the timeout', async () => {
    const result = await runOpenLoop({
      rate: 10,
      durationMs: 100,
      timeoutMs: 30,
      send: (_index, signal) =>
        new Promise((_resolve, reject) => {
          signal.addEventListener('abort', () => reject(signal.reason));
        }),
    });

    expect(result.samples).toHaveLength(1);
    expect(result.samples[0]).toMatchObject({ ok: false, label: 'TimeoutError' });
  });
});
