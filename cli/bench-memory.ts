/**
 * `ackflow bench memory`: a worker process holding N chunk activities at once, each
 * streaming from the mock LLM, while its resident memory and CPU are read from /proc. The
 * worker's own metrics (activity slots in use) confirm the N are really running together.
 * Measured twice: one process hosting workflows and activities (the default), and split,
 * where the streams sit in an activities worker and the workflow cache in a second process.
 */
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client, Connection } from '@temporalio/client';
import { machine } from '../bench/machine.ts';
import { numberFlag } from '../bench/number-flag.ts';
import { readUsage, summarizeUsage, type UsageSample } from '../bench/process-usage.ts';
import { startMockLlmProcess } from '../bench/service-process.ts';
import { startWorkerProcess } from '../bench/worker-process.ts';
import { startOptions } from '../gateway/start-options.ts';
import { TASK_QUEUES, TASK_WORKFLOW_TYPE } from '../protocol/workflow-api.ts';
import { startBenchBase } from './bench-stack.ts';
import { freePort } from './temporal-server.ts';

export const MEMORY_USAGE = `usage: ackflow bench memory [--quick] [--activities 200]
  [--window 15] [--deployment single|split|both] [--json out.json]`;

/** The worker's budget with 200 activities streaming at once: 250 MB, decimal. */
export const MEMORY_TARGET = { activities: 200, rssBytes: 250_000_000 } as const;

const MiB = 2 ** 20;

export async function benchMemory(argv: string[], say: (line: string) => void): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      activities: { type: 'string' },
      window: { type: 'string' },
      deployment: { type: 'string', default: 'both' },
      json: { type: 'string' },
      quick: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stderr.write(`${MEMORY_USAGE}\n`);
    return 0;
  }
  const activities = numberFlag(
    'activities',
    values.activities,
    MEMORY_TARGET.activities,
    [1, 2_000],
    'whole',
  );
  const windowS = numberFlag('window', values.window, values.quick ? 5 : 15, [1, 300]);
  const deployments = DEPLOYMENTS.filter(
    (d) => values.deployment === 'both' || values.deployment === d,
  );
  if (deployments.length === 0) throw new RangeError('--deployment is single, split or both');

  const results: MemoryResult[] = [];
  let temporalCli = 'unknown';
  for (const deployment of deployments) {
    say(`${deployment}: ${DEPLOYMENT_NOTES[deployment]}`);
    const result = await measureDeployment(deployment, activities, windowS, say, (version) => {
      temporalCli = version;
    });
    for (const line of memoryLines(result)) say(`  ${line}`);
    results.push(result);
  }
  if (values.json) {
    const context = { date: new Date().toISOString(), machine: await machine(temporalCli) };
    await writeFile(values.json, `${JSON.stringify({ context, results }, null, 1)}\n`);
    say(`raw results: ${values.json}`);
  }
  return 0;
}

const DEPLOYMENTS = ['single', 'split'] as const;
type Deployment = (typeof DEPLOYMENTS)[number];
const DEPLOYMENT_NOTES: Record<Deployment, string> = {
  single: 'one worker process hosting workflows and activities (--role all, the default)',
  split: 'an activities worker holding the streams, a workflows worker beside it',
};

/** A fresh stack per deployment, so neither inherits the other's tasks or cache. */
async function measureDeployment(
  deployment: Deployment,
  activities: number,
  windowS: number,
  say: (line: string) => void,
  onCli: (version: string) => void,
): Promise<MemoryResult> {
  const base = await startBenchBase('sqlite', say);
  onCli(base.temporalCliVersion);
  try {
    const mock = await startMockLlmProcess(await freePort());
    base.onClose(() => mock.close());
    const metricsPort = await freePort();
    const env = { ...base.env, LOG_LEVEL: 'info', LLM_BASE_URL: `${mock.url}/v1` };
    const args = ['--queues', 'light', '--bundle', await base.workflowBundle()];
    const role = deployment === 'single' ? 'all' : 'activities';
    const worker = startWorkerProcess(
      {
        ...env,
        WORKER_LIGHT_CONCURRENCY: String(activities + 50),
        WORKER_METRICS_ADDRESS: `127.0.0.1:${metricsPort}`,
      },
      [...args, '--role', role],
    );
    base.onClose(() => worker.kill('SIGTERM'));
    const workflows =
      deployment === 'split'
        ? startWorkerProcess(env, [...args, '--role', 'workflows'])
        : undefined;
    if (workflows) base.onClose(() => workflows.kill('SIGTERM'));
    await Promise.all([worker.ready, workflows?.ready]);
    await sleep(2_000);
    const idle = await readUsage(worker.pid);
    say(`  worker pid ${worker.pid}: ${(idle.rssBytes / MiB).toFixed(1)} MiB resident when idle`);

    const connection = await Connection.connect({ address: base.temporal.address });
    base.onClose(() => connection.close());
    const client = new Client({ connection, namespace: base.temporal.namespace });
    // Each task is one chunk that streams for longer than the window and the ramp together.
    const streamS = windowS + 30;
    const taskIds = await startStreamingTasks(client, activities, streamS);
    const slotsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
    const reached = await untilSlotsUsed(slotsUrl, activities, 90_000, say);
    say(`  ${reached} activities running at once; sampling ${windowS} s`);

    const samples: UsageSample[] = [];
    const others: UsageSample[] = [];
    const slots: number[] = [];
    for (const end = Date.now() + windowS * 1000; Date.now() < end;) {
      samples.push(await readUsage(worker.pid));
      if (workflows) others.push(await readUsage(workflows.pid));
      slots.push(await slotsUsed(slotsUrl));
      await sleep(250);
    }
    await Promise.all(taskIds.map((id) => client.workflow.getHandle(id).terminate('bench done')));
    return {
      deployment,
      activities,
      slotsInUse: { min: Math.min(...slots), max: Math.max(...slots) },
      idleRssBytes: idle.rssBytes,
      ...summarizeUsage(samples),
      workflowsWorker: workflows ? summarizeUsage(others) : undefined,
    };
  } finally {
    await base.close();
  }
}

export interface MemoryResult {
  deployment: Deployment;
  activities: number;
  slotsInUse: { min: number; max: number };
  idleRssBytes: number;
  peakRssBytes: number;
  meanRssBytes: number;
  cpuCores: number;
  /** In the split deployment, the process that holds the running tasks' workflows. */
  workflowsWorker?: ReturnType<typeof summarizeUsage>;
}

export function memoryLines(r: MemoryResult): string[] {
  const pass =
    r.slotsInUse.min >= MEMORY_TARGET.activities && r.peakRssBytes <= MEMORY_TARGET.rssBytes;
  const mib = (bytes: number) => `${(bytes / MiB).toFixed(1)} MiB`;
  const holder = r.deployment === 'single' ? 'worker' : 'activities worker';
  const lines = [
    `activity slots in use while sampled: ${r.slotsInUse.min} to ${r.slotsInUse.max}`,
    `${holder} resident memory: ${mib(r.idleRssBytes)} idle, ${mib(r.meanRssBytes)} mean, ` +
      `${mib(r.peakRssBytes)} peak`,
    `${holder} CPU: ${(r.cpuCores * 100).toFixed(1)}% of one core`,
  ];
  const other = r.workflowsWorker;
  if (other) {
    lines.push(
      `workflows worker holding their ${r.activities} workflows: ` +
        `${mib(other.meanRssBytes)} mean, ${mib(other.peakRssBytes)} peak, ` +
        `${(other.cpuCores * 100).toFixed(1)}% of one core`,
    );
  }
  lines.push(
    `${pass ? 'PASS' : 'MISS'}  ${holder} ≤ ${MEMORY_TARGET.rssBytes / 1e6} MB ` +
      `(${mib(MEMORY_TARGET.rssBytes)}) resident with ` +
      `${MEMORY_TARGET.activities} activities at once: ${mib(r.peakRssBytes)}`,
  );
  return lines;
}

async function startStreamingTasks(client: Client, count: number, streamS: number) {
  const tps = 10;
  const tokens = streamS * tps;
  const run = Date.now().toString(36);
  const taskIds = Array.from({ length: count }, (_, i) => `memory-${run}-${i}`);
  await Promise.all(
    taskIds.map((taskId) =>
      client.workflow.start(
        TASK_WORKFLOW_TYPE,
        startOptions(
          {
            taskId,
            type: 'llm.generate',
            input: {
              prompt: `Summarise report ${taskId}. [[mock:tokens=${tokens}]] [[mock:tps=${tps}]]`,
              chunkTokens: Math.min(tokens, 4_096),
            },
            model: 'mock-fast',
            tier: 'light',
            delivery: { source: 'api', retryCount: 0, receivedAt: new Date().toISOString() },
          },
          { taskQueue: TASK_QUEUES.light },
        ),
      ),
    ),
  );
  return taskIds;
}

/** Activity slots the worker reports in use, from its Prometheus endpoint. */
async function slotsUsed(url: string): Promise<number> {
  const text = await (await fetch(url)).text();
  return text
    .split('\n')
    .filter((line) => line.startsWith('temporal_worker_task_slots_used{'))
    .filter((line) => line.includes('worker_type="ActivityWorker"'))
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
}

async function untilSlotsUsed(
  url: string,
  wanted: number,
  timeoutMs: number,
  say: (line: string) => void,
): Promise<number> {
  const started = Date.now();
  let used = 0;
  let told = started;
  while (Date.now() < started + timeoutMs) {
    used = await slotsUsed(url).catch(() => 0);
    if (used >= wanted) return used;
    if (Date.now() - told >= 5_000) {
      told = Date.now();
      say(
        `  ${used} of ${wanted} activities running after ${((told - started) / 1000).toFixed(0)} s`,
      );
    }
    await sleep(250);
  }
  throw new Error(`only ${used} of ${wanted} activities running after ${timeoutMs} ms`);
}
