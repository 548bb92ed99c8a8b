/**
 * Pieces of the stack that `dev`, `gateway` and `worker` start the same way: the Temporal
 * connections, the workers, the gateway.
 */
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import type { Logger } from 'pino';
import { createBlobCodec } from '../activities/blob-codec.ts';
import { createFolderBlobStore } from '../activities/blob-store.ts';
import { startGateway, type RunningGateway } from '../gateway/server.ts';
import { TASK_QUEUES } from '../protocol/workflow-api.ts';
import type { Variables } from '../protocol/variables.ts';
import { installTemporalRuntime } from '../worker/runtime-logger.ts';
import { createWorkers, type RunningWorkers, type WorkerRole } from '../worker/worker.ts';
import { temporalConnectionOptions } from './temporal-connection.ts';
import { callbackSettings, gatewayConfig, llmSettings } from './settings.ts';

export async function launchGateway(
  variables: Variables,
  logger: Logger,
  options: { host?: string; mockUrl?: string } = {},
): Promise<RunningGateway & { connection: Connection }> {
  const config = gatewayConfig(variables, options.mockUrl);
  if (config.signingKeys.development) {
    logger.warn(
      "QSTASH signing keys are not set: using QStash's PUBLIC local-development keys. " +
        'Anyone can sign deliveries for this gateway. Never run it like this in production.',
    );
  }
  if (!variables.GATEWAY_TOKEN_SECRET) {
    logger.warn('GATEWAY_TOKEN_SECRET is not set: read tokens use a public development secret.');
  }
  // A lazy connection lets the gateway start, and answer 503, while Temporal is down.
  const connection = Connection.lazy(temporalConnectionOptions(variables));
  const client = new Client({
    connection,
    namespace: variables.TEMPORAL_NAMESPACE,
    dataConverter: blobDataConverter(variables),
  });
  const gateway = await startGateway({
    config,
    client,
    logger,
    port: variables.PORT,
    host: options.host,
  });
  return {
    ...gateway,
    connection,
    close: async () => {
      await gateway.close();
      await connection.close();
    },
  };
}

export async function launchWorkers(
  variables: Variables,
  logger: Logger,
  options: { tiers?: string[]; mockUrl?: string; bundlePath?: string; role?: WorkerRole } = {},
): Promise<RunningWorkers & { connection: NativeConnection }> {
  const workerInstanceId = `worker-${randomUUID().slice(0, 8)}`;
  installTemporalRuntime(logger.child({ workerInstanceId }), {
    metricsAddress: variables.WORKER_METRICS_ADDRESS,
    metricsTags: { workerInstanceId },
  });
  if (!variables.CALLBACK_SIGNING_SECRET) {
    logger.warn('CALLBACK_SIGNING_SECRET is not set: callbacks are signed with a public secret.');
  }
  const tiers = options.tiers ?? Object.keys(TASK_QUEUES);
  const taskQueues = tiers.map((tier) => {
    const queue = TASK_QUEUES[tier as keyof typeof TASK_QUEUES];
    if (!queue) throw new Error(`unknown queue tier ${tier}; known: light, heavy`);
    return queue;
  });
  const connection = await NativeConnection.connect(temporalConnectionOptions(variables));
  const workers = await createWorkers({
    connection,
    namespace: variables.TEMPORAL_NAMESPACE,
    taskQueues,
    llm: llmSettings(variables, options.mockUrl),
    callback: callbackSettings(variables),
    identity: workerInstanceId,
    blobStore: createFolderBlobStore(resolve(variables.BLOB_DIR)),
    concurrency: {
      [TASK_QUEUES.light]: variables.WORKER_LIGHT_CONCURRENCY,
      [TASK_QUEUES.heavy]: variables.WORKER_HEAVY_CONCURRENCY,
    },
    activitiesPerSecond: variables.WORKER_ACTIVITIES_PER_SECOND,
    queueActivitiesPerSecond: variables.QUEUE_ACTIVITIES_PER_SECOND,
    workflowBundlePath: options.bundlePath,
    role: options.role,
  });
  return { ...workers, connection };
}

/** The data converter every client of ours uses: large payloads travel through BLOB_DIR. */
export function blobDataConverter(variables: Variables) {
  return { payloadCodecs: [createBlobCodec(createFolderBlobStore(resolve(variables.BLOB_DIR)))] };
}

/** A client for a one-off command (replay, redrive, report); close its connection after. */
export async function openClient(variables: Variables) {
  const connection = await Connection.connect(temporalConnectionOptions(variables));
  const client = new Client({
    connection,
    namespace: variables.TEMPORAL_NAMESPACE,
    dataConverter: blobDataConverter(variables),
  });
  return { client, connection };
}
