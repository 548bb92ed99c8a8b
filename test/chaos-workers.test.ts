/**
 * Chaos: worker processes killed with SIGKILL by their pids every one to three seconds while
 * tasks run, a new worker started after each kill. Afterwards every task ran once, completed
 * with the text of a fault-free run, and each kill cost at most one chunk per running task.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { CHUNK_TOKENS, publishOverTime, seededRun } from './support/chaos-load.ts';
import { chaosProfile } from './support/chaos-profile.ts';
import { reportChaos } from './support/chaos-report.ts';
import { type ChaosStack, startChaosStack } from './support/chaos-stack.ts';
import { judgeChaosRun } from './support/chaos-verdict.ts';
import { TEST_NAMESPACES } from './support/namespaces.ts';

const profile = chaosProfile();
let stack: ChaosStack;

beforeAll(async () => {
  stack = await startChaosStack({
    temporalAddress: inject('temporalAddress'),
    namespace: TEST_NAMESPACES.chaosWorkers,
    tokensPerSecond: 250,
    sim: { parallelism: 10, maxRetries: 6, backoffScale: 12 },
  });
});
afterAll(async () => {
  await stack?.stop();
});

describe('workers killed with SIGKILL every 1 to 3 s under load', () => {
  it(
    'completes every task exactly once, byte-identical to a fault-free run',
    async () => {
      const { client, sim, workers } = stack;
      const { tasks: count, killPhaseMs } = profile.workerKill;
      const { random, tasks, references } = await seededRun(
        'chaos-workers',
        profile.seed,
        count,
        [300, 800],
        stack.reference.url,
      );
      await Promise.all([workers.start().ready, workers.start().ready]);

      const publishing = publishOverTime(sim, tasks, killPhaseMs * 0.6);
      // Tasks running at each kill: each may lose the chunk it was streaming.
      let runningAtKills = 0;
      const end = Date.now() + killPhaseMs;
      while (Date.now() < end) {
        await sleep(random.between(1_000, 3_000));
        const running = await client.workflow
          .count('ExecutionStatus = "Running"')
          .then(({ count: n }) => n)
          .catch(() => count);
        if (await workers.killOldest('SIGKILL')) {
          runningAtKills += running;
          workers.start();
        }
      }
      await publishing;

      const generated = tasks.reduce((sum, task) => sum + task.tokens, 0);
      const verdict = await judgeChaosRun({
        scenario: 'worker SIGKILL every 1-3 s',
        profile: profile.name,
        client,
        tasks,
        sim,
        answers: stack.recorder.answers,
        references,
        kills: () => workers.kills(),
        llmFaults: 0,
        tokensRepeated: () => stack.mock.stats().tokensGenerated - generated,
        settleTimeoutMs: 120_000,
      });
      await reportChaos(verdict.counts);

      expect(verdict.problems).toEqual([]);
      expect(workers.crashes()).toEqual([]);
      expect(verdict.counts.kills).toBeGreaterThanOrEqual(3);
      expect(verdict.counts.completed).toBe(count);
      expect(verdict.counts.tasksLost).toBe(0);
      expect(verdict.counts.duplicatesRun).toBe(0);
      expect(verdict.counts.tokensRepeated).toBeLessThanOrEqual(CHUNK_TOKENS * runningAtKills);
    },
    profile.testTimeoutMs,
  );
});
