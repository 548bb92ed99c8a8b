/**
 * The internal-queue peer in the end-to-end benchmark: what a team builds when it puts a
 * Redis queue behind an endpoint that answers at once. The endpoint verifies the QStash
 * signature and parses the envelope exactly as the gateway does, adds a BullMQ job keyed by
 * the task id, and answers 200; a BullMQ worker runs the task's steps with the code inline
 * mode uses. Each side is a process of its own, as the gateway and the Temporal worker are.
 *
 * What it lacks next to ackflow is the point of comparing: no history, no replay, and a
 * crash mid-task restarts the task from nothing.
 *
 *   node --import tsx bench/bullmq-peer.ts endpoint|worker   (configured by the env below)
 */
import { spawn } from 'node:child_process';
import { serve } from '@hono/node-server';
import { Queue, Worker } from 'bullmq';
import { Hono } from 'hono';
import { createInlineRunner } from '../gateway/inline.ts';
import { parseTask } from '../gateway/envelope.ts';
import { createSignatureVerifier } from '../gateway/signature.ts';
import { getTaskType } from '../protocol/task-types.ts';

export const PEER_QUEUE = 'ackflow-bench-peer';
const PEER_READY = 'bullmq peer ready:';

export interface PeerJob {
  type: string;
  input: unknown;
  model: string;
}

interface PeerEnv {
  REDIS_HOST: string;
  REDIS_PORT: string;
  PORT?: string;
  PUBLIC_URL?: string;
  SIGNING_KEY?: string;
  LLM_BASE_URL?: string;
  CONCURRENCY?: string;
}

function required(env: PeerEnv, name: keyof PeerEnv): string {
  const value = env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
}

const connectionOf = (env: PeerEnv) => ({
  host: required(env, 'REDIS_HOST'),
  port: Number(required(env, 'REDIS_PORT')),
});

async function endpoint(env: PeerEnv): Promise<() => Promise<void>> {
  const key = required(env, 'SIGNING_KEY');
  const verify = createSignatureVerifier({ current: key, next: key, development: false });
  const url = new URL('/v1/tasks', required(env, 'PUBLIC_URL')).toString();
  const queue = new Queue<PeerJob>(PEER_QUEUE, { connection: connectionOf(env) });
  const app = new Hono();
  app.post('/v1/tasks', async (c) => {
    const body = new TextDecoder().decode(await c.req.arrayBuffer());
    try {
      await verify(c.req.header('upstash-signature') ?? '', body, url);
    } catch {
      return c.json({ code: 'signature_invalid' }, 401);
    }
    const task = parseTask(body, c.req.header('upstash-message-id'));
    const job = { type: task.definition.type, input: task.input, model: task.definition.model };
    // The job id makes a redelivery land on the same job, as the workflow id does.
    await queue.add(task.definition.type, job, { jobId: task.taskId });
    return c.json({ taskId: task.taskId });
  });
  const server = serve({ fetch: app.fetch, port: Number(env.PORT ?? 0), hostname: '127.0.0.1' });
  return async () => {
    await new Promise((resolve) => server.close(resolve));
    await queue.close();
  };
}

async function worker(env: PeerEnv): Promise<() => Promise<void>> {
  const run = createInlineRunner({ baseURL: required(env, 'LLM_BASE_URL'), apiKey: 'bench' });
  const processor = async (job: { data: PeerJob }) => {
    const definition = getTaskType(job.data.type);
    if (!definition) throw new Error(`unknown task type ${job.data.type}`);
    const result = await run(definition, job.data, new AbortController().signal);
    return { outputChars: result.output.length };
  };
  const running = new Worker<PeerJob>(PEER_QUEUE, processor, {
    connection: connectionOf(env),
    concurrency: Number(env.CONCURRENCY ?? 100),
  });
  await running.waitUntilReady();
  return () => running.close();
}

async function main(mode: string | undefined): Promise<void> {
  const env = process.env as unknown as PeerEnv;
  if (mode !== 'endpoint' && mode !== 'worker') throw new Error('mode is endpoint or worker');
  const close = mode === 'endpoint' ? await endpoint(env) : await worker(env);
  process.stdout.write(`${PEER_READY} ${mode}\n`);
  await new Promise((resolve) => process.once('SIGTERM', resolve));
  await close();
}

// Run as a script: the benchmark starts each side as a child process of its own.
if (process.argv[1] === import.meta.filename) {
  main(process.argv[2]).then(
    () => process.exit(0),
    (error: Error) => {
      process.stderr.write(`bullmq peer: ${error.message}\n`);
      process.exit(1);
    },
  );
}

export interface PeerProcess {
  pid: number;
  stop(): Promise<void>;
}

/** Starts one side of the peer as a child process; resolves once it is ready. */
export async function startPeerProcess(
  mode: 'endpoint' | 'worker',
  env: Record<string, string>,
): Promise<PeerProcess> {
  const file = import.meta.filename;
  const child = spawn(process.execPath, ['--import', 'tsx', file, mode], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`peer ${mode} not ready:\n${output}`)), 30_000);
    const onData = (data: Buffer) => {
      output = (output + data.toString()).slice(-4000);
      if (output.includes(`${PEER_READY} ${mode}`)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`peer ${mode} exited:\n${output}`));
    });
  }).catch(async (error) => {
    await stop();
    throw error;
  });
  return { pid: child.pid!, stop };
}
