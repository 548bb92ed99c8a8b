/**
 * Chaos: the gateway process killed with SIGKILL by its pid while the delivery simulator
 * delivers and retries as QStash does, then started again on the same port. Every message
 * ends delivered, and a delivery whose workflow had started when the gateway died is
 * answered `duplicate: true` on its redelivery, never run a second time. Because a kill
 * lands between a start and its answer only by chance, a gateway that drops the connection
 * right after every first start shows that case deterministically.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { QstashSim } from '../bench/qstash-sim.ts';
import { startAnswerRecorder } from './support/answer-recorder.ts';
import { chaosTasks, publishOverTime, referenceOutputs, seededRun } from './support/chaos-load.ts';
import { chaosProfile } from './support/chaos-profile.ts';
import { reportChaos } from './support/chaos-report.ts';
import { type ChaosStack, startChaosStack } from './support/chaos-stack.ts';
import { judgeChaosRun } from './support/chaos-verdict.ts';
import { TEST_NAMESPACES } from './support/namespaces.ts';
import { INGRESS_URL, TEST_KEYS, testGatewayConfig } from './support/stack.ts';
import { startStartCrashGateway } from './support/start-crash-gateway.ts';

const profile = chaosProfile();
let stack: ChaosStack;

beforeAll(async () => {
  stack = await startChaosStack({
    temporalAddress: inject('temporalAddress'),
    namespace: TEST_NAMESPACES.chaosGateway,
    tokensPerSecond: 500,
    sim: { parallelism: 10, maxRetries: 8, backoffScale: 12 },
  });
  await stack.workers.start().ready;
});
afterAll(async () => {
  await stack?.stop();
});

async function until(condition: () => boolean, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (!condition() && Date.now() < deadline) await sleep(5);
}

describe('the gateway killed with SIGKILL under load', () => {
  it(
    'ends with every message delivered and every task run exactly once',
    async () => {
      const { client, sim, recorder } = stack;
      const { tasks: count, kills } = profile.gatewayKill;
      const { random, tasks, references } = await seededRun(
        'chaos-gateway',
        profile.seed,
        count,
        [100, 300],
        stack.reference.url,
      );
      const tokensBefore = stack.mock.stats().tokensGenerated;

      // Publishing outlasts the kills, so deliveries are always under way when one lands.
      const publishing = publishOverTime(sim, tasks, kills * 9_000);
      for (let kill = 0; kill < kills; kill += 1) {
        await sleep(random.between(1_500, 3_000));
        // Aimed at a moment when deliveries are open, so some die between start and answer.
        await until(() => recorder.inFlight() > 0, 2_000);
        await stack.killGateway();
        await stack.startGateway();
      }
      await publishing;

      const generated = tasks.reduce((sum, task) => sum + task.tokens, 0);
      const verdict = await judgeChaosRun({
        scenario: 'gateway SIGKILL under load',
        profile: profile.name,
        client,
        tasks,
        sim,
        answers: recorder.answers,
        references,
        kills: () => kills,
        llmFaults: 0,
        tokensRepeated: () => stack.mock.stats().tokensGenerated - tokensBefore - generated,
        settleTimeoutMs: 120_000,
      });
      await reportChaos(verdict.counts);

      expect(verdict.problems).toEqual([]);
      expect(stack.workers.crashes()).toEqual([]);
      expect(verdict.counts.noAnswer).toBeGreaterThan(0);
      expect(verdict.counts.completed).toBe(count);
      expect(verdict.counts.tasksLost).toBe(0);
      expect(verdict.counts.duplicatesRun).toBe(0);
      expect(verdict.counts.tokensRepeated).toBe(0);
    },
    profile.testTimeoutMs,
  );
});

describe('a gateway that dies between the workflow start and its answer', () => {
  it(
    'gets the redelivery answered as a duplicate, and the task runs once',
    async () => {
      const count = profile.gatewayKill.startCrashTasks;
      const tasks = chaosTasks(`chaos-start-crash-${profile.seed}`, count, () => 120);
      const references = await referenceOutputs(stack.reference.url, tasks);
      const config = testGatewayConfig(stack.mock.url);
      const gateway = await startStartCrashGateway(stack.client, config);
      const recorder = await startAnswerRecorder(gateway.url);
      // One delivery at a time: the crash cuts every connection open at that moment.
      const sim = new QstashSim({
        url: `${recorder.url}/v1/tasks`,
        signedUrl: INGRESS_URL,
        signingKey: TEST_KEYS.current,
        parallelism: 1,
        maxRetries: 4,
        backoffScale: 24,
        timeoutMs: 20_000,
      });
      try {
        const tokensBefore = stack.mock.stats().tokensGenerated;
        await publishOverTime(sim, tasks, 0);
        const verdict = await judgeChaosRun({
          scenario: 'crash between start and answer',
          profile: profile.name,
          client: stack.client,
          tasks,
          sim,
          answers: recorder.answers,
          references,
          kills: () => gateway.crashes(),
          llmFaults: 0,
          tokensRepeated: () => stack.mock.stats().tokensGenerated - tokensBefore - 120 * count,
          settleTimeoutMs: 60_000,
        });
        await reportChaos(verdict.counts);

        expect(verdict.problems).toEqual([]);
        expect(gateway.crashes()).toBe(count);
        expect(verdict.counts.noAnswer).toBe(count);
        expect(verdict.counts.startAnswerLost).toBe(count);
        expect(verdict.counts.duplicateAnswers).toBe(count);
        expect(verdict.counts.runs).toBe(count);
        expect(verdict.counts.completed).toBe(count);
      } finally {
        sim.close();
        await recorder.close();
        await gateway.close();
      }
    },
    profile.testTimeoutMs,
  );
});
