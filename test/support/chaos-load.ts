/**
 * The chaos suite's load: `llm.generate` tasks with known lengths, published through the
 * delivery simulator over a spread of time, and their reference texts from an untouched mock
 * (the mock's text depends on the prompt and the seed only, so a fault-free answer is the
 * byte-exact expectation for a run that met every fault).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import OpenAI from 'openai';
import type { QstashSim } from '../../bench/qstash-sim.ts';
import { llmGenerate } from '../../protocol/task-types/llm-generate.ts';
import { seededRandom } from './chaos-profile.ts';

/** The chunk `llm.generate` streams at once: what one crash or broken stream costs a task. */
export const CHUNK_TOKENS = llmGenerate.chunkTokens;

export interface ChaosTask {
  taskId: string;
  prompt: string;
  tokens: number;
  body: string;
  /** `completed`, or the error code the task must fail with (a fault no retry can fix). */
  expect: 'completed' | string;
}

/**
 * `count` tasks under one prefix. Ids are zero-padded so that no id is a prefix of another:
 * a fault matched by task id then hits that task only.
 */
export function chaosTasks(
  prefix: string,
  count: number,
  tokens: (index: number) => number,
): ChaosTask[] {
  return Array.from({ length: count }, (_, index) => {
    const taskId = `${prefix}-${String(index).padStart(4, '0')}`;
    const length = tokens(index);
    const prompt = `${taskId} [[mock:tokens=${length}]]`;
    const body = JSON.stringify({ version: 1, taskId, type: 'llm.generate', input: { prompt } });
    return { taskId, prompt, tokens: length, body, expect: 'completed' };
  });
}

/** Publishes every task once, evenly over `spreadMs`, plus `again` right after its first. */
export async function publishOverTime(
  sim: QstashSim,
  tasks: readonly ChaosTask[],
  spreadMs: number,
  again: ReadonlySet<string> = new Set(),
): Promise<void> {
  const gapMs = tasks.length > 1 ? spreadMs / (tasks.length - 1) : 0;
  for (const [index, task] of tasks.entries()) {
    if (index > 0) await sleep(gapMs);
    sim.publish(task.body);
    if (again.has(task.taskId)) sim.publish(task.body);
  }
}

/** The fault-free text of each task, by task id, from a mock no fault was ever queued on. */
export async function referenceOutputs(referenceUrl: string, tasks: readonly ChaosTask[]) {
  const openai = new OpenAI({ baseURL: referenceUrl, apiKey: 'test', maxRetries: 0 });
  const outputs = new Map<string, string>();
  // A few at a time: the reference is instant, the pool only bounds open sockets.
  for (let start = 0; start < tasks.length; start += 20) {
    const batch = tasks.slice(start, start + 20);
    const texts = await Promise.all(
      batch.map(async (task) => {
        const completion = await openai.chat.completions.create({
          model: 'mock-fast',
          messages: [{ role: 'user', content: task.prompt }],
          max_tokens: 100_000,
        });
        return completion.choices[0]?.message.content ?? '';
      }),
    );
    batch.forEach((task, index) => outputs.set(task.taskId, texts[index] ?? ''));
  }
  return outputs;
}

/**
 * The start of a seeded run: prints the seed that replays it, makes `count` tasks of between
 * `fewest` and `most` tokens, and reads their reference texts. The same generator goes on to
 * choose the run's kill times and fault targets, so one seed fixes the whole schedule.
 */
export async function seededRun(
  name: string,
  seed: number,
  count: number,
  [fewest, most]: [number, number],
  referenceUrl: string,
) {
  const random = seededRandom(seed);
  console.log(`chaos seed ${seed} (ACKFLOW_CHAOS_SEED replays it)`);
  const tasks = chaosTasks(`${name}-${seed}`, count, () => random.between(fewest, most));
  const references = await referenceOutputs(referenceUrl, tasks);
  return { random, tasks, references };
}
