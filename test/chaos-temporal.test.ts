/**
 * Chaos: the Temporal dev server stopped by its pid while the delivery simulator publishes,
 * then started again a few seconds later on the same SQLite file and the same port. In the
 * gap the gateway answers 503 with Retry-After and the simulator retries; the gateway and the
 * workers find the server again by themselves. Afterwards every task ran once and completed
 * with the text of a fault-free run.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { provisionTemporalCli, type TemporalCli } from '../cli/temporal-cli.ts';
import { type DevServer, freePort, startDevServer } from '../cli/temporal-server.ts';
import { publishOverTime, seededRun } from './support/chaos-load.ts';
import { chaosProfile } from './support/chaos-profile.ts';
import { reportChaos } from './support/chaos-report.ts';
import { type ChaosStack, startChaosStack } from './support/chaos-stack.ts';
import { judgeChaosRun } from './support/chaos-verdict.ts';
import { TEST_NAMESPACES } from './support/namespaces.ts';

const profile = chaosProfile();
const namespace = TEST_NAMESPACES.chaosTemporal;
/** How long each outage lasts before the server is started again, as the scenario asks. */
const OUTAGE_MS = 2_000;
let cli: TemporalCli;
let folder: string;
let port: number;
let server: DevServer | undefined;
let stack: ChaosStack;

// This test stops its server, so it cannot share the suite's: it runs one of its own, on a
// file, so that a restart finds every task where the stop left it.
const startServer = () =>
  startDevServer({ cli, port, uiPort: false, dbFile: join(folder, 'temporal.db'), namespace });

beforeAll(async () => {
  cli = await provisionTemporalCli({ env: { TEMPORAL_CLI_PATH: inject('temporalCliPath') } });
  folder = await mkdtemp(join(tmpdir(), 'ackflow-chaos-temporal-'));
  port = await freePort();
  server = await startServer();
  stack = await startChaosStack({
    temporalAddress: server.address,
    namespace,
    tokensPerSecond: 250,
    // Retry-After is 5 s; scaled by 4 the simulator comes back about every 1.25 s.
    sim: { parallelism: 10, maxRetries: 20, backoffScale: 4 },
  });
});
afterAll(async () => {
  await stack?.stop();
  await server?.stop();
  if (folder) await rm(folder, { recursive: true, force: true });
});

describe('the Temporal dev server stopped and restarted on the same database under load', () => {
  it(
    'answers 503 while it is down, then completes every task exactly once',
    async () => {
      const { client, sim, workers } = stack;
      const { tasks: count, restarts } = profile.temporalRestart;
      const { random, tasks, references } = await seededRun(
        'chaos-temporal',
        profile.seed,
        count,
        [200, 500],
        stack.reference.url,
      );
      await Promise.all([workers.start().ready, workers.start().ready]);

      // Publishing outlasts the outages, so deliveries arrive before, during and after each.
      const publishing = publishOverTime(sim, tasks, restarts * 8_000);
      let stops = 0;
      // Workflows open at each stop: work the workers must pick up again after the restart.
      let runningAtStops = 0;
      for (let restart = 0; restart < restarts; restart += 1) {
        await sleep(random.between(2_000, 3_500));
        runningAtStops += await client.workflow
          .count('ExecutionStatus = "Running"')
          .then(({ count: n }) => n)
          .catch(() => 0);
        await server?.stop();
        server = undefined;
        stops += 1;
        await sleep(OUTAGE_MS);
        server = await startServer();
      }
      await publishing;

      const generated = tasks.reduce((sum, task) => sum + task.tokens, 0);
      const verdict = await judgeChaosRun({
        scenario: 'Temporal stopped and restarted',
        profile: profile.name,
        client,
        tasks,
        sim,
        answers: stack.recorder.answers,
        references,
        kills: () => stops,
        llmFaults: 0,
        tokensRepeated: () => stack.mock.stats().tokensGenerated - generated,
        settleTimeoutMs: 120_000,
      });
      await reportChaos(verdict.counts);

      expect(verdict.problems).toEqual([]);
      expect(workers.crashes()).toEqual([]);
      expect(verdict.counts.kills).toBe(restarts);
      expect(runningAtStops).toBeGreaterThan(0);
      expect(verdict.counts.unavailable503).toBeGreaterThan(0);
      const unavailable = stack.recorder.answers.filter((answer) => answer.status === 503);
      expect(unavailable.filter((answer) => !/^\d+$/.test(answer.retryAfter ?? ''))).toEqual([]);
      expect(verdict.counts.completed).toBe(count);
      expect(verdict.counts.tasksLost).toBe(0);
      expect(verdict.counts.duplicatesRun).toBe(0);
    },
    profile.testTimeoutMs,
  );
});
