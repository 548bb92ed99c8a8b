/**
 * The stack a chaos test kills parts of, each part a real process killed by its pid: the
 * gateway (`ackflow gateway`, restartable on the same port), workers on a prebuilt bundle,
 * and, in front of the gateway, the delivery simulator behind an answer recorder. The mock
 * LLM runs here, so faults can be queued and its counters read; a second, untouched mock
 * gives the reference texts.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { createBlobCodec } from '../../activities/blob-codec.ts';
import { createFolderBlobStore } from '../../activities/blob-store.ts';
import { type ServiceProcess, startGatewayProcess } from '../../bench/service-process.ts';
import { type RunningMockLlm, startMockLlm } from '../../bench/mock-llm/index.ts';
import { QstashSim, type QstashSimOptions } from '../../bench/qstash-sim.ts';
import { writeWorkflowBundle } from '../../cli/bundle.ts';
import { freePort } from '../../cli/temporal-server.ts';
import { type AnswerRecorder, startAnswerRecorder } from './answer-recorder.ts';
import { createWorkerPool, type WorkerPool } from './chaos-workers.ts';
import {
  INGRESS_URL,
  PUBLIC_URL,
  TEST_CALLBACK_SECRET,
  TEST_KEYS,
  TEST_TOKEN_SECRET,
} from './stack.ts';

export interface ChaosStackOptions {
  temporalAddress: string;
  namespace: string;
  /** The pace of the workers' mock, so tasks last long enough to be hit mid-chunk. */
  tokensPerSecond: number;
  sim: Pick<QstashSimOptions, 'parallelism' | 'maxRetries' | 'backoffScale'>;
}

export interface ChaosStack {
  client: Client;
  mock: RunningMockLlm;
  reference: RunningMockLlm;
  recorder: AnswerRecorder;
  sim: QstashSim;
  workers: WorkerPool;
  /** Environment of the gateway and worker processes. */
  env: Record<string, string>;
  bundlePath: string;
  gatewayPid(): number;
  /** SIGKILLs the gateway by its pid and waits until it is gone. */
  killGateway(): Promise<void>;
  /** Starts a gateway on the same port and waits until it answers. */
  startGateway(): Promise<void>;
  /** Stops everything started here, newest first, even after a failure. */
  stop(): Promise<void>;
}

export async function startChaosStack(options: ChaosStackOptions): Promise<ChaosStack> {
  const closers: Array<() => Promise<unknown> | void> = [];
  const stop = async () => {
    for (const close of closers.splice(0).reverse()) {
      await Promise.resolve()
        .then(close)
        .catch((error) => console.error(`chaos stack: ${String(error)}`));
    }
  };
  try {
    const dir = await mkdtemp(join(tmpdir(), 'ackflow-chaos-'));
    closers.push(() => rm(dir, { recursive: true, force: true }));
    const bundlePath = await writeWorkflowBundle(join(dir, 'workflow-bundle.js'));
    const mock = await startMockLlm({ port: 0, tokensPerSecond: options.tokensPerSecond });
    closers.push(() => mock.close());
    const reference = await startMockLlm({ port: 0, tokensPerSecond: 0 });
    closers.push(() => reference.close());

    const blobDir = join(dir, 'blobs');
    const env = {
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      GATEWAY_PUBLIC_URL: PUBLIC_URL,
      QSTASH_CURRENT_SIGNING_KEY: TEST_KEYS.current,
      QSTASH_NEXT_SIGNING_KEY: TEST_KEYS.next,
      GATEWAY_TOKEN_SECRET: TEST_TOKEN_SECRET,
      CALLBACK_SIGNING_SECRET: TEST_CALLBACK_SECRET,
      TEMPORAL_ADDRESS: options.temporalAddress,
      TEMPORAL_NAMESPACE: options.namespace,
      BLOB_DIR: blobDir,
      LLM_BASE_URL: mock.url,
    };
    const workers = createWorkerPool(env, bundlePath);
    closers.push(() => workers.stopAll());

    const port = await freePort();
    let gateway: ServiceProcess | undefined = await startGatewayProcess(env, port);
    closers.push(() => gateway?.close());
    const recorder = await startAnswerRecorder(gateway.url);
    closers.push(() => recorder.close());
    const sim = new QstashSim({
      ...options.sim,
      url: `${recorder.url}/v1/tasks`,
      signedUrl: INGRESS_URL,
      signingKey: TEST_KEYS.current,
      timeoutMs: 20_000,
    });
    closers.push(() => sim.close());

    const connection = await Connection.connect({ address: options.temporalAddress });
    closers.push(() => connection.close());
    const client = new Client({
      connection,
      namespace: options.namespace,
      dataConverter: { payloadCodecs: [createBlobCodec(createFolderBlobStore(blobDir))] },
    });

    return {
      client,
      mock,
      reference,
      recorder,
      sim,
      workers,
      env,
      bundlePath,
      gatewayPid: () => gateway?.pid ?? 0,
      async killGateway() {
        if (!gateway) return;
        try {
          process.kill(gateway.pid, 'SIGKILL');
        } catch {
          // Already gone.
        }
        await gateway.close(); // Only waits for the exit: the process is already dying.
        gateway = undefined;
      },
      async startGateway() {
        gateway ??= await startGatewayProcess(env, port);
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
