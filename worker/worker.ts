/**
 * The worker process: hosts the task workflow and the LLM activities on the task queues it
 * is told to serve, one SDK Worker per queue so a busy queue cannot starve another.
 */
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import {
  bundleWorkflowCode,
  type NativeConnection,
  Worker,
  type WorkflowBundleOption,
} from '@temporalio/worker';
import { createBlobCodec } from '../activities/blob-codec.ts';
import type { BlobStore } from '../activities/blob-store.ts';
import { type CallbackSettings, createCallbackActivities } from '../activities/callback.ts';
import { createLlmActivities, type LlmSettings } from '../activities/llm.ts';

export const WORKFLOWS_PATH = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));

/** The bundler reports every module at info level; only its problems are worth a line. */
export const quietBundlerLogger = {
  log: () => undefined,
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: (message: string) => console.warn(message),
  error: (message: string) => console.error(message),
};

/**
 * What a worker process runs. `all` hosts both, as on a laptop. Split, `activities` workers
 * hold the LLM streams (a small fraction of a MiB each) and scale with LLM concurrency, while
 * `workflows` workers hold the workflow cache (about 0.4 MiB per running task) and scale with
 * the number of tasks open at once.
 */
export const WORKER_ROLES = ['all', 'workflows', 'activities'] as const;
export type WorkerRole = (typeof WORKER_ROLES)[number];

export interface WorkerSettings {
  connection: NativeConnection;
  namespace: string;
  taskQueues: string[];
  llm: LlmSettings;
  callback: CallbackSettings;
  /** A prebuilt bundle (production); when absent the workflows are bundled at start. */
  workflowBundlePath?: string;
  /** Chunk activities one worker runs at once, per task queue; 100 when a queue is absent. */
  concurrency?: Record<string, number>;
  /** Activities per second this worker starts, per queue (protects the LLM provider). */
  activitiesPerSecond?: number;
  /** Activities per second across every worker of a queue, enforced by the server. */
  queueActivitiesPerSecond?: number;
  identity?: string;
  /** Where payloads over 256 KB go; must be the store the gateways use. */
  blobStore: BlobStore;
  /** `all` when absent. */
  role?: WorkerRole;
}

export const DEFAULT_CONCURRENCY = 100;

export interface RunningWorkers {
  workerInstanceId: string;
  workers: Worker[];
  /** Resolves when every worker has stopped. */
  run(): Promise<void>;
  shutdown(): void;
}

export async function createWorkers(settings: WorkerSettings): Promise<RunningWorkers> {
  const workerInstanceId = settings.identity ?? `worker-${randomUUID().slice(0, 8)}`;
  const role = settings.role ?? 'all';
  // A Worker given no activities does not poll for them; one given no workflows, likewise.
  const activities =
    role === 'workflows'
      ? undefined
      : { ...createLlmActivities(settings.llm), ...createCallbackActivities(settings.callback) };
  // Bundle once for all queues; each Worker would otherwise bundle the same code again.
  let workflowBundle: WorkflowBundleOption | undefined;
  if (role !== 'activities') {
    workflowBundle = settings.workflowBundlePath
      ? { codePath: settings.workflowBundlePath }
      : await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: quietBundlerLogger });
  }

  const workers = await Promise.all(
    settings.taskQueues.map((taskQueue) =>
      Worker.create({
        connection: settings.connection,
        namespace: settings.namespace,
        taskQueue,
        identity: `${workerInstanceId}@${taskQueue}`,
        activities,
        workflowBundle,
        dataConverter: { payloadCodecs: [createBlobCodec(settings.blobStore)] },
        maxConcurrentActivityTaskExecutions:
          settings.concurrency?.[taskQueue] ?? DEFAULT_CONCURRENCY,
        maxActivitiesPerSecond: settings.activitiesPerSecond,
        maxTaskQueueActivitiesPerSecond: settings.queueActivitiesPerSecond,
        // Heartbeats carry the partial text a retry resumes from, so send them often.
        maxHeartbeatThrottleInterval: '1 second',
        shutdownGraceTime: '10 seconds',
      }),
    ),
  );

  let running: Promise<void> | undefined;
  return {
    workerInstanceId,
    workers,
    run() {
      running ??= Promise.all(workers.map((worker) => worker.run())).then(() => undefined);
      return running;
    },
    shutdown() {
      for (const worker of workers) {
        if (worker.getState() === 'RUNNING') worker.shutdown();
      }
    },
  };
}
