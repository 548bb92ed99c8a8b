/**
 * The README's path, end to end: `ackflow dev` as a child process on free ports and a data
 * folder of its own, a task sent with `ackflow send --wait`, read back through the task API
 * and the Temporal Web UI, Ctrl-C as a terminal sends it, and a second start on the same
 * data that still shows the task. Separate from the suite's shared Temporal server.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  type DevProcess,
  type DevUrls,
  distinctFreePorts,
  isRunning,
  startDevProcess,
  waitUntil,
} from './support/dev-process.ts';

const BIN = fileURLToPath(new URL('../bin/ackflow.js', import.meta.url));
const run = promisify(execFile);

let dataDir: string;
let env: NodeJS.ProcessEnv;
let args: string[];
let dev: DevProcess;
let urls: DevUrls;
const started: DevProcess[] = [];
/** Every pid seen under a dev process, so cleanup can reach them after dev has gone. */
const seen = new Set<number>();

interface TaskView {
  taskId: string;
  state: string;
  result?: { output: string };
  progress?: { chunks: number };
}

async function startDev(): Promise<DevUrls> {
  dev = startDevProcess(args, env);
  started.push(dev);
  const printed = await dev.ready;
  for (const pid of await dev.descendants()) seen.add(pid);
  return printed;
}

/** `ackflow send` as the README runs it, with the URL of this dev's gateway. */
function send(...options: string[]) {
  const args = [BIN, 'send', '--url', `${urls.gateway}/v1/tasks`, ...options];
  return run(process.execPath, args, { env, timeout: 60_000 });
}

async function readTask(taskId: string, token: string) {
  const response = await fetch(`${urls.gateway}/v1/tasks/${taskId}?token=${token}`);
  return { status: response.status, view: (await response.json()) as TaskView };
}

async function uiWorkflows(): Promise<Array<{ workflowId: string; status: string }>> {
  const response = await fetch(`${urls.ui}/api/v1/namespaces/default/workflows`);
  expect(response.status).toBe(200);
  const body = (await response.json()) as {
    executions?: Array<{ execution: { workflowId: string }; status: string }>;
  };
  return (body.executions ?? []).map((e) => ({
    workflowId: e.execution.workflowId,
    status: e.status,
  }));
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'ackflow-dev-'));
  const [gateway, grpc, ui, mock, metrics] = await distinctFreePorts(5);
  args = [
    ...['--data-dir', dataDir, '--temporal-port', String(grpc), '--ui-port', String(ui)],
    ...['--mock-port', String(mock), '--worker-metrics-port', String(metrics)],
  ];
  env = {
    ...process.env,
    NODE_ENV: 'development',
    PORT: String(gateway),
    GATEWAY_PUBLIC_URL: `http://127.0.0.1:${gateway}`,
    TEMPORAL_CLI_PATH: inject('temporalCliPath'),
    LOG_LEVEL: 'info',
  };
  // The README's defaults: the mock LLM, read tokens, blobs and metrics where dev puts them.
  for (const name of ['LLM_API_KEY', 'LLM_BASE_URL', 'GATEWAY_API_KEYS', 'BLOB_DIR']) {
    delete env[name];
  }
  delete env.WORKER_METRICS_ADDRESS;
  urls = await startDev();
}, 180_000);

afterAll(async () => {
  // Ctrl-C first, then SIGKILL by pid to whatever is left: the dev processes still running,
  // what runs under them, and what ran under them and was not yet seen gone (a pid seen gone
  // may belong to someone else by now).
  const running = started.filter((p) => p.running());
  for (const p of running) {
    for (const pid of await p.descendants().catch(() => [])) seen.add(pid);
    p.interrupt();
  }
  await Promise.race([Promise.all(running.map((p) => p.exited)), sleep(15_000)]);
  for (const p of running) if (p.running()) process.kill(p.pid, 'SIGKILL');
  for (const pid of seen) if (isRunning(pid)) process.kill(pid, 'SIGKILL');
  await Promise.all(started.map((p) => p.exited));
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
}, 30_000);

const IN_FLIGHT = 'dev-test-in-flight';
const ENDED = ['completed', 'failed', 'cancelled', 'timed_out'];
let taskId: string;
let readToken: string;
let inFlightToken: string;

describe('ackflow dev, as the README runs it', () => {
  it('completes a task sent with `ackflow send --wait`, readable through the API', async () => {
    const { stdout } = await send('--prompt', 'Write a haiku about queues', '--wait');
    const [answerLine, ...viewLines] = stdout.split('\n');
    expect(answerLine).toMatch(/^200 /);
    const answer = JSON.parse(answerLine!.slice(4));
    expect(answer).toMatchObject({ duplicate: false, readToken: expect.any(String) });
    ({ taskId, readToken } = answer);
    const waited = JSON.parse(viewLines.join('\n'));
    expect(waited).toMatchObject({ taskId, state: 'completed' });
    expect(waited.result.output.length).toBeGreaterThan(0);

    const { status, view } = await readTask(taskId, readToken);
    expect(status).toBe(200);
    expect(view).toMatchObject({ state: 'completed', result: { output: waited.result.output } });
    expect((await fetch(`${urls.gateway}/v1/tasks/${taskId}`)).status).toBe(401);
  }, 90_000);

  it('shows the task in the Temporal Web UI', async () => {
    expect((await fetch(urls.ui)).status).toBe(200);
    expect(await uiWorkflows()).toContainEqual(
      expect.objectContaining({
        workflowId: taskId,
        status: 'WORKFLOW_EXECUTION_STATUS_COMPLETED',
      }),
    );
  }, 30_000);

  it('stops on Ctrl-C within seconds, a chunk in flight, leaving no process behind', async () => {
    const prompt = 'A long essay [[mock:tokens=1500]]'; // six chunks of about 1.3 s
    const { stdout } = await send('--task-id', IN_FLIGHT, '--prompt', prompt);
    inFlightToken = JSON.parse(stdout.slice(4)).readToken;
    // One chunk done, so the next one is running.
    await waitUntil(async () => {
      const { view } = await readTask(IN_FLIGHT, inFlightToken);
      return view.state === 'running' && (view.progress?.chunks ?? 0) >= 1;
    });
    const children = await dev.descendants();
    for (const pid of children) seen.add(pid);
    expect(children.length).toBeGreaterThan(0);

    const pressed = Date.now();
    dev.interrupt();
    const code = await Promise.race([dev.exited, sleep(20_000).then(() => 'still running')]);
    expect(code, dev.output()).toBe(0);
    expect(Date.now() - pressed).toBeLessThan(8_000);
    // The server outlived the draining worker, which could report its chunk.
    expect(dev.output()).not.toMatch(/tcp connect error|Network error while completing/);
    await waitUntil(() => children.every((pid) => !isRunning(pid)), 3_000).catch(() => undefined);
    for (const pid of children.filter((pid) => !isRunning(pid))) seen.delete(pid);
    expect(children.filter(isRunning)).toEqual([]);
  }, 60_000);

  it('started again on the same data folder, still shows the earlier tasks', async () => {
    urls = await startDev();

    const { status, view } = await readTask(taskId, readToken);
    expect(status).toBe(200);
    expect(view.state).toBe('completed');
    const connection = await Connection.connect({ address: urls.grpc });
    try {
      const description = await new Client({ connection }).workflow.getHandle(taskId).describe();
      expect(description.status.name).toBe('COMPLETED');
    } finally {
      await connection.close();
    }
    expect((await uiWorkflows()).map((workflow) => workflow.workflowId)).toContain(taskId);

    // The task cut short by Ctrl-C goes on where it stopped.
    await waitUntil(async () =>
      ENDED.includes((await readTask(IN_FLIGHT, inFlightToken)).view.state),
    );
    expect((await readTask(IN_FLIGHT, inFlightToken)).view.state).toBe('completed');
  }, 180_000);
});
