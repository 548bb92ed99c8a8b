/** `ackflow gateway`, `ackflow worker` and `ackflow mock-llm`: one service per process. */
import { parseArgs } from 'node:util';
import { startMockLlm } from '../bench/mock-llm/index.ts';
import { parseVariables } from '../protocol/variables.ts';
import { createLogger } from './logger.ts';
import { MOCK_LLM_PORT } from './settings.ts';
import { launchGateway, launchWorkers } from './stack.ts';
import { WORKER_ROLES, type WorkerRole } from '../worker/worker.ts';

function untilSignal(): Promise<void> {
  return new Promise((done) => {
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
  });
}

export async function gateway(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { host: { type: 'string' } } });
  const variables = parseVariables(process.env);
  const logger = createLogger('ackflow-gateway', variables.LOG_LEVEL);
  const running = await launchGateway(variables, logger, { host: values.host });
  logger.info({ url: running.url, temporal: variables.TEMPORAL_ADDRESS }, 'gateway listening');
  try {
    await untilSignal();
  } finally {
    await running.close();
  }
  return 0;
}

export async function worker(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      queues: { type: 'string', default: 'light,heavy' },
      bundle: { type: 'string' },
      role: { type: 'string', default: 'all' },
    },
  });
  const role = values.role as WorkerRole;
  if (!WORKER_ROLES.includes(role)) {
    throw new Error(`--role is one of ${WORKER_ROLES.join(', ')}; got ${values.role}`);
  }
  const variables = parseVariables(process.env);
  const logger = createLogger('ackflow-worker', variables.LOG_LEVEL);
  const workers = await launchWorkers(variables, logger, {
    tiers: values.queues.split(',').map((tier) => tier.trim()),
    bundlePath: values.bundle,
    role,
  });
  const done = workers.run();
  logger.info(
    { workerInstanceId: workers.workerInstanceId, queues: values.queues, role },
    'worker running',
  );
  // SIGTERM lets running activities finish (or hand back) within the grace time.
  await Promise.race([untilSignal(), done]);
  workers.shutdown();
  try {
    await done;
  } finally {
    await workers.connection.close();
  }
  return 0;
}

export async function mockLlm(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string', default: String(MOCK_LLM_PORT) },
      host: { type: 'string', default: '127.0.0.1' },
      'tokens-per-second': { type: 'string' },
      seed: { type: 'string' },
    },
  });
  const tps = values['tokens-per-second'];
  const mock = await startMockLlm({
    port: Number(values.port),
    host: values.host,
    tokensPerSecond: tps === undefined ? undefined : Number(tps),
    seed: values.seed === undefined ? undefined : Number(values.seed),
  });
  process.stdout.write(`mock LLM listening at ${mock.url}\n`);
  try {
    await untilSignal();
  } finally {
    await mock.close();
  }
  return 0;
}
