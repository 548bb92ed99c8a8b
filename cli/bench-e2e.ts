/**
 * `ackflow bench e2e`: one batch of mock LLM tasks through a QStash-like limit of N
 * deliveries in flight, against inline mode (the old way), durable mode, and the same
 * answer-at-once path on BullMQ and a local Redis. Every part runs as its own process.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { Queue } from 'bullmq';
import {
  type Contestant,
  type E2eLoad,
  type E2eResult,
  pollFinished,
  runE2e,
} from '../bench/e2e.ts';
import { PEER_QUEUE, startPeerProcess } from '../bench/bullmq-peer.ts';
import { renderE2eSvg } from '../bench/e2e-chart.ts';
import { machine } from '../bench/machine.ts';
import { numberFlag } from '../bench/number-flag.ts';
import { redisServerVersion, startRedisServer } from '../bench/redis-server.ts';
import { startGatewayProcess, startMockLlmProcess } from '../bench/service-process.ts';
import { waitUntilIdle } from '../bench/settle.ts';
import { startWorkerProcess } from '../bench/worker-process.ts';
import {
  BENCH_PUBLIC_URL,
  BENCH_SIGNING_KEY,
  type BenchBase,
  startBenchBase,
} from './bench-stack.ts';
import { freePort } from './temporal-server.ts';

export const E2E_USAGE = `usage: ackflow bench e2e [--quick] [--parallelism 10] [--task-seconds 5]
  [--rate 50] [--inline-tasks 40] [--durable-tasks 400] [--worker-slots 500]
  [--peer bullmq|none] [--json out.json] [--svg chart.svg]
--rate is messages published per second; 0 publishes each batch at once.`;

/** Durable mode's targets against inline at the same parallelism. */
export const E2E_TARGETS = { throughputRatio: 20, holdShare: 0.005 } as const;

const PROFILES = {
  full: {
    parallelism: 10,
    taskSeconds: 5,
    rate: 50,
    inlineTasks: 40,
    durableTasks: 400,
    workerSlots: 500,
  },
  quick: {
    parallelism: 10,
    taskSeconds: 2,
    rate: 25,
    inlineTasks: 20,
    durableTasks: 100,
    workerSlots: 200,
  },
};

/** Load stays bounded in size and time whatever the flags say. */
const LIMITS = {
  parallelism: [1, 1_000],
  'task-seconds': [1, 120],
  rate: [0, 1_000],
  'inline-tasks': [1, 2_000],
  'durable-tasks': [1, 5_000],
  'worker-slots': [1, 5_000],
} as const;

export interface E2eOptions {
  parallelism: number;
  taskSeconds: number;
  rate: number;
  inlineTasks: number;
  durableTasks: number;
  workerSlots: number;
  peer: 'bullmq' | 'none';
  json?: string;
  svg?: string;
  help: boolean;
}

export function parseE2eOptions(argv: string[]): E2eOptions {
  const text = { type: 'string' } as const;
  const { values } = parseArgs({
    args: argv,
    options: {
      parallelism: text,
      'task-seconds': text,
      rate: text,
      'inline-tasks': text,
      'durable-tasks': text,
      'worker-slots': text,
      peer: { type: 'string', default: 'bullmq' },
      json: text,
      svg: text,
      quick: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  const profile = PROFILES[values.quick ? 'quick' : 'full'];
  const whole = (name: keyof typeof LIMITS, fallback: number) =>
    numberFlag(name, values[name], fallback, LIMITS[name], 'whole');
  if (values.peer !== 'bullmq' && values.peer !== 'none') {
    throw new RangeError(`--peer is bullmq or none; got ${values.peer}`);
  }
  return {
    parallelism: whole('parallelism', profile.parallelism),
    taskSeconds: whole('task-seconds', profile.taskSeconds),
    rate: whole('rate', profile.rate),
    inlineTasks: whole('inline-tasks', profile.inlineTasks),
    durableTasks: whole('durable-tasks', profile.durableTasks),
    workerSlots: whole('worker-slots', profile.workerSlots),
    peer: values.peer,
    json: values.json,
    svg: values.svg,
    help: values.help,
  };
}

const TOKENS_PER_SECOND = 20;

export async function benchE2e(argv: string[], say: (line: string) => void): Promise<number> {
  const options = parseE2eOptions(argv);
  if (options.help) {
    process.stderr.write(`${E2E_USAGE}\n`);
    return 0;
  }
  const load: E2eLoad = {
    parallelism: options.parallelism,
    taskSeconds: options.taskSeconds,
    tokensPerSecond: TOKENS_PER_SECOND,
    arrivalsPerSecond: options.rate,
  };
  // Four times what the slowest contestant needs: inline's tasks × task time ÷ parallelism.
  const inlineMs = (options.inlineTasks * options.taskSeconds * 1000) / options.parallelism;
  const timeoutMs = Math.max(120_000, 4 * inlineMs);
  const base = await startBenchBase('sqlite', say);
  try {
    const llmUrl = await startMock(base);
    const results: E2eResult[] = [];
    const measure = async (contestant: Contestant, tasks: number) => {
      const arrivals = load.arrivalsPerSecond ? `${load.arrivalsPerSecond}/s` : 'at once';
      say(
        `${contestant.name}: ${tasks} tasks of ${options.taskSeconds} s, published ${arrivals}, ` +
          `N = ${load.parallelism}`,
      );
      const result = await runE2e(contestant, load, tasks, timeoutMs);
      say(
        `  ${result.finished}/${tasks} finished in ${result.makespanS.toFixed(1)} s, ` +
          `${result.steadyTasksPerSecond.toFixed(2)} tasks/s steady`,
      );
      results.push(result);
    };

    await measure(await inlineContestant(base, llmUrl), options.inlineTasks);
    await measure(await durableContestant(base, llmUrl, options.workerSlots), options.durableTasks);
    let redis: string | undefined;
    if (options.peer === 'bullmq') {
      redis = await redisServerVersion();
      if (redis) {
        const peer = await bullmqContestant(base, llmUrl, options.workerSlots);
        await measure(peer, options.durableTasks);
      } else say('bullmq: skipped, redis-server is not installed (apt-get install redis-server)');
    }

    say('');
    for (const line of e2eLines(results, load)) say(line);
    if (options.json) {
      const context = {
        date: new Date().toISOString(),
        options,
        load,
        machine: await machine(base.temporalCliVersion),
        redis,
        storage: base.storage,
      };
      await writeFile(options.json, `${JSON.stringify({ context, results }, null, 1)}\n`);
      say(`raw results: ${options.json}`);
    }
    if (options.svg) {
      const chart = { ...load, date: new Date().toUTCString() };
      await writeFile(options.svg, renderE2eSvg(results, chart));
      say(`chart: ${options.svg}`);
    }
    return 0;
  } finally {
    await base.close();
  }
}

async function startMock(base: BenchBase): Promise<string> {
  const mock = await startMockLlmProcess(await freePort());
  base.onClose(() => mock.close());
  return `${mock.url}/v1`;
}

function target(url: string): Omit<Contestant, 'name' | 'finishedAt'> {
  return {
    url: `${url}/v1/tasks`,
    signedUrl: `${BENCH_PUBLIC_URL}/v1/tasks`,
    signingKey: BENCH_SIGNING_KEY,
  };
}

/** The gateway running every task itself: the answer is the end of the task. */
async function inlineContestant(base: BenchBase, llmUrl: string): Promise<Contestant> {
  const routesFile = join(base.dir, 'routes-inline.json');
  const routes = { routes: { 'llm.generate': { tier: 'light', inlinePercent: 100 } } };
  await writeFile(routesFile, JSON.stringify(routes));
  const env = { ...base.env, LLM_BASE_URL: llmUrl, ROUTES_FILE: routesFile };
  const gateway = await startGatewayProcess(env, await freePort());
  base.onClose(() => gateway.close());
  return { name: 'inline', ...target(gateway.url) };
}

/** The gateway as deployed, a worker process beside it; a task ends when its run closes. */
async function durableContestant(base: BenchBase, llmUrl: string, slots: number) {
  const env = { ...base.env, LLM_BASE_URL: llmUrl };
  const gateway = await startGatewayProcess(env, await freePort());
  base.onClose(() => gateway.close());
  // At info, as deployed: its readiness line and its per-task lines are part of its work.
  const workerEnv = { ...env, LOG_LEVEL: 'info', WORKER_LIGHT_CONCURRENCY: String(slots) };
  const bundle = await base.workflowBundle();
  const worker = startWorkerProcess(workerEnv, ['--queues', 'light', '--bundle', bundle]);
  base.onClose(() => worker.kill('SIGTERM'));
  await readyWithin(worker.ready, 60_000, 'the worker');
  const connection = await Connection.connect({ address: base.temporal.address });
  base.onClose(() => connection.close());
  const client = new Client({ connection, namespace: base.temporal.namespace });
  await waitUntilIdle(client, 60_000);

  // Each poll asks only for runs closed lately: listing every closed run twice a second
  // would load the server the benchmark is measuring. Runs reach visibility a little out of
  // order, so the window reaches back well before the latest close seen.
  let latest = 0;
  const finishedAt = (taskIds: string[], deadline: number) =>
    pollFinished(taskIds, deadline, async (pending) => {
      const closed = new Map<string, number>();
      const query =
        'WorkflowType = "taskWorkflow" AND ExecutionStatus = "Completed" ' +
        `AND CloseTime >= "${new Date(Math.max(0, latest - 30_000)).toISOString()}"`;
      for await (const run of client.workflow.list({ query })) {
        if (!run.closeTime) continue;
        latest = Math.max(latest, run.closeTime.getTime());
        if (pending.has(run.workflowId)) closed.set(run.workflowId, run.closeTime.getTime());
      }
      return closed;
    });
  return { name: 'durable', ...target(gateway.url), finishedAt } satisfies Contestant;
}

/** The internal-queue peer: its endpoint and worker processes on a Redis of their own. */
async function bullmqContestant(base: BenchBase, llmUrl: string, slots: number) {
  const redis = await startRedisServer();
  base.onClose(() => redis.stop());
  const port = await freePort();
  const env = {
    REDIS_HOST: redis.host,
    REDIS_PORT: String(redis.port),
    PORT: String(port),
    PUBLIC_URL: BENCH_PUBLIC_URL,
    SIGNING_KEY: BENCH_SIGNING_KEY,
    LLM_BASE_URL: llmUrl,
    CONCURRENCY: String(slots),
  };
  for (const mode of ['endpoint', 'worker'] as const) {
    const peer = await startPeerProcess(mode, env);
    base.onClose(() => peer.stop());
  }
  const queue = new Queue(PEER_QUEUE, { connection: { host: redis.host, port: redis.port } });
  base.onClose(() => queue.close());

  // As for the durable runs, each poll reads only the jobs completed lately (newest first,
  // with a margin for those finishing meanwhile), not every completed job twice a second.
  let seen = 0;
  const finishedAt = (taskIds: string[], deadline: number) =>
    pollFinished(taskIds, deadline, async (pending) => {
      const done = new Map<string, number>();
      const completed = await queue.getCompletedCount();
      const newest = await queue.getJobs(['completed'], 0, completed - seen + 100, false);
      seen = completed;
      for (const job of newest) {
        if (job.id && pending.has(job.id) && job.finishedOn) done.set(job.id, job.finishedOn);
      }
      return done;
    });
  const url = `http://127.0.0.1:${port}`;
  return { name: 'bullmq', ...target(url), finishedAt } satisfies Contestant;
}

async function readyWithin(ready: Promise<void>, ms: number, what: string) {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} was not ready within ${ms} ms`)), ms);
  });
  try {
    await Promise.race([ready, late]);
  } finally {
    clearTimeout(timer);
  }
}

const fixed = (value: number, digits = 2) => (Number.isFinite(value) ? value.toFixed(digits) : '-');

/**
 * The table, the ratios against inline, and the two targets with PASS or MISS. Throughput is
 * compared with the higher of inline's measured steady rate and its ceiling N ÷ task time,
 * so a noisy inline run never flatters the others.
 */
export function e2eLines(results: E2eResult[], load: E2eLoad): string[] {
  const header =
    'contestant   tasks  done  attempts  failed  steady/s  makespan/s  hold p50 ms' +
    '  hold p99 ms  hold mean ms  max in flight';
  const lines = [header];
  for (const r of results) {
    lines.push(
      [
        r.name.padEnd(11),
        String(r.tasks).padStart(6),
        String(r.finished).padStart(5),
        String(r.attempts).padStart(9),
        String(r.failedAttempts).padStart(7),
        fixed(r.steadyTasksPerSecond).padStart(9),
        fixed(r.tasksPerSecond).padStart(11),
        fixed(r.holdMs.p50).padStart(12),
        fixed(r.holdMs.p99).padStart(12),
        fixed(r.holdMs.mean).padStart(13),
        String(r.maxInFlight).padStart(14),
      ].join(' '),
    );
  }
  const inline = results.find((r) => r.name === 'inline');
  if (!inline) return lines;
  const ceiling = load.parallelism / load.taskSeconds;
  const inlineRate = Math.max(inline.steadyTasksPerSecond || 0, ceiling);
  lines.push(
    `inline's ceiling N ÷ task time: ${fixed(ceiling)} tasks/s; ` +
      `measured ${fixed(inline.steadyTasksPerSecond)} steady`,
  );
  for (const r of results.filter((result) => result !== inline)) {
    const ratio = r.steadyTasksPerSecond / inlineRate;
    const share = r.holdMs.mean / inline.holdMs.mean;
    lines.push(
      `${r.name} / inline: steady tasks/s ×${fixed(ratio, 1)}, ` +
        `mean slot hold ${fixed(share * 100, 3)}%`,
    );
    if (r.name !== 'durable') continue;
    const complete = r.finished === r.tasks;
    const verdict = (pass: boolean) => (pass && complete ? 'PASS' : 'MISS');
    lines.push(
      `${verdict(ratio >= E2E_TARGETS.throughputRatio)}  durable tasks/s ≥ ` +
        `${E2E_TARGETS.throughputRatio} × inline: ×${fixed(ratio, 1)}`,
      `${verdict(share <= E2E_TARGETS.holdShare)}  durable slot hold ≤ ` +
        `${E2E_TARGETS.holdShare * 100}% of inline: ${fixed(share * 100, 3)}%`,
    );
  }
  return lines;
}
