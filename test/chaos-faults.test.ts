/**
 * Chaos: every fault the mock LLM can inject, several times each, against tasks under load,
 * while a tenth of the envelopes are published a second time as messages of their own (a
 * producer that sends twice). Afterwards each task ran once, its second messages answered
 * `duplicate: true`; a task whose fault a retry can get through completed with the text of a
 * fault-free run, and a task whose request the provider refused failed with its code.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { FAULT_KINDS, type FaultKind, type FaultSpec } from '../bench/mock-llm/faults.ts';
import { ERROR_CODES } from '../protocol/error-codes.ts';
import { type ChaosTask, CHUNK_TOKENS, publishOverTime, seededRun } from './support/chaos-load.ts';
import { chaosProfile, type seededRandom } from './support/chaos-profile.ts';
import { reportChaos } from './support/chaos-report.ts';
import { type ChaosStack, startChaosStack } from './support/chaos-stack.ts';
import { judgeChaosRun } from './support/chaos-verdict.ts';
import { TEST_NAMESPACES } from './support/namespaces.ts';

const profile = chaosProfile();
let stack: ChaosStack;

beforeAll(async () => {
  stack = await startChaosStack({
    temporalAddress: inject('temporalAddress'),
    namespace: TEST_NAMESPACES.chaosFaults,
    tokensPerSecond: 250,
    sim: { parallelism: 10, maxRetries: 6, backoffScale: 12 },
  });
  await stack.workers.start().ready;
});
afterAll(async () => {
  await stack?.stop();
});

type Random = ReturnType<typeof seededRandom>;

async function until(condition: () => boolean, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (!condition() && Date.now() < deadline) await sleep(50);
}

/**
 * The fault a task meets on its first LLM request, and how the task must end. Stream faults
 * come early in the first chunk (256 tokens), so some text is streamed before each.
 */
function faultFor(kind: FaultKind, nth: number, task: ChaosTask, random: Random): FaultSpec {
  const match = task.taskId;
  switch (kind) {
    case 'rate_limit':
      return { kind, match, retryAfterSeconds: random.between(1, 2) };
    case 'server_error':
      return { kind, match };
    case 'bad_request':
      // Refused as invalid, the request would be refused again: no retry, no fallback.
      task.expect = ERROR_CODES.llmRequestInvalid;
      return { kind, match };
    case 'drop':
      return { kind, match, afterTokens: random.between(0, 120) };
    case 'stall':
      // Half go silent mid-stream until the worker gives the stream up; half go silent
      // before the first token, then the response ends without a finish reason.
      return nth % 2 === 0
        ? { kind, match, afterTokens: random.between(1, 120) }
        : { kind, match, afterTokens: 0, ms: 1_500 };
  }
}

describe('10% duplicate deliveries and every fault of the mock LLM under load', () => {
  it(
    'runs every task once, with the fault-free text or the documented error code',
    async () => {
      const { client, sim, mock } = stack;
      const { tasks: count, perKind, duplicateShare } = profile.faults;
      const { random, tasks, references } = await seededRun(
        'chaos-faults',
        profile.seed,
        count,
        [150, 400],
        stack.reference.url,
      );

      // One fault per target task, so each task's expected end follows from its fault alone.
      const targets = random.pick(tasks, FAULT_KINDS.length * perKind);
      const specs = targets.map((task, index) => {
        const kind = FAULT_KINDS[index % FAULT_KINDS.length]!;
        return faultFor(kind, Math.floor(index / FAULT_KINDS.length), task, random);
      });
      const before = mock.stats();
      mock.faults.add(specs);

      // Half the second messages follow their first at once, half come once publishing is
      // over, when most of their tasks have already finished.
      const twice = random.pick(tasks, Math.round(count * duplicateShare));
      const half = Math.ceil(twice.length / 2);
      const again = new Set(twice.slice(0, half).map((task) => task.taskId));
      await publishOverTime(sim, tasks, 8_000, again);
      for (const task of twice.slice(half)) sim.publish(task.body);

      // A fault is used up by its task's first request, which comes soon after the start.
      await until(() => mock.faults.pending().length === 0, 60_000);
      const applied = mock.stats().faultsApplied;
      const appliedByKind = Object.fromEntries(
        FAULT_KINDS.map((kind) => [kind, applied[kind] - before.faultsApplied[kind]]),
      );
      const generated = tasks
        .filter((task) => task.expect === 'completed')
        .reduce((sum, task) => sum + task.tokens, 0);
      const verdict = await judgeChaosRun({
        scenario: '10% duplicates, every LLM fault',
        profile: profile.name,
        client,
        tasks,
        sim,
        answers: stack.recorder.answers,
        references,
        kills: () => 0,
        llmFaults: Object.values(appliedByKind).reduce((sum, n) => sum + n, 0),
        tokensRepeated: () => mock.stats().tokensGenerated - before.tokensGenerated - generated,
        settleTimeoutMs: 120_000,
      });
      await reportChaos(verdict.counts);

      const refused = perKind;
      expect(verdict.problems).toEqual([]);
      expect(stack.workers.crashes()).toEqual([]);
      expect(mock.faults.pending()).toEqual([]);
      expect(appliedByKind).toEqual(Object.fromEntries(FAULT_KINDS.map((k) => [k, perKind])));
      expect(verdict.counts.deliveries).toBe(count + twice.length);
      expect(verdict.counts.duplicateAnswers).toBe(twice.length);
      expect(verdict.counts.runs).toBe(count);
      expect(verdict.counts.completed).toBe(count - refused);
      expect(verdict.counts.failedAsExpected).toBe(refused);
      expect(verdict.counts.tasksLost).toBe(0);
      expect(verdict.counts.duplicatesRun).toBe(0);
      // A broken stream costs at most the tokens since its last heartbeat, within one chunk.
      const broken = appliedByKind.drop! + appliedByKind.stall!;
      expect(verdict.counts.tokensRepeated).toBeLessThanOrEqual(CHUNK_TOKENS * broken);
    },
    profile.testTimeoutMs,
  );
});
