/**
 * `ackflow dev`: the whole stack on one machine. The Temporal dev server with its Web UI and
 * a SQLite file under the data folder, the mock LLM when no key is set, a worker serving
 * both queues, and the gateway. Ctrl-C stops everything; a second start reuses the data.
 */
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { startMockLlm } from '../bench/mock-llm/index.ts';
import { parseVariables } from '../protocol/variables.ts';
import { createLogger } from './logger.ts';
import { MOCK_LLM_PORT, usesMockLlm } from './settings.ts';
import { launchGateway, launchWorkers } from './stack.ts';
import { provisionTemporalCli } from './temporal-cli.ts';
import { startDevServer } from './temporal-server.ts';

export async function dev(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      'data-dir': { type: 'string', default: '.data' },
      'temporal-port': { type: 'string', default: '7233' },
      'ui-port': { type: 'string', default: '8233' },
      'mock-port': { type: 'string', default: String(MOCK_LLM_PORT) },
      'worker-metrics-port': { type: 'string', default: '9464' },
    },
  });
  const variables = parseVariables(process.env);
  const logger = createLogger('ackflow-dev', variables.LOG_LEVEL);
  const dataDir = resolve(values['data-dir']);
  const stops: Array<() => Promise<unknown>> = [];
  const say = (line: string) => process.stdout.write(`${line}\n`);

  try {
    const cli = await provisionTemporalCli({ log: say }).catch((error: Error) => {
      say(`${error.message}; falling back to the Temporal SDK's download (needs the internet)`);
      return undefined;
    });
    if (cli) say(`temporal CLI: ${cli.path} (from ${cli.source}; ${cli.version.split('\n')[0]})`);
    const temporal = await startDevServer({
      cli,
      port: Number(values['temporal-port']),
      uiPort: Number(values['ui-port']),
      dbFile: join(dataDir, 'temporal.db'),
      logFile: join(dataDir, 'temporal.log'),
    });
    stops.unshift(() => temporal.stop());
    variables.TEMPORAL_ADDRESS = temporal.address;
    if (!process.env.BLOB_DIR) variables.BLOB_DIR = join(dataDir, 'blobs');

    let mockUrl: string | undefined;
    if (usesMockLlm(variables)) {
      const mock = await startMockLlm({ port: Number(values['mock-port']) });
      stops.unshift(() => mock.close());
      mockUrl = mock.url;
    }

    variables.WORKER_METRICS_ADDRESS ??= `127.0.0.1:${values['worker-metrics-port']}`;
    const workers = await launchWorkers(variables, logger, { mockUrl });
    const workersDone = workers.run();
    stops.unshift(async () => {
      workers.shutdown();
      await workersDone;
      await workers.connection.close();
    });

    const gateway = await launchGateway(variables, logger, { mockUrl });
    stops.unshift(() => gateway.close());

    say('');
    say('ackflow is running');
    say(`  gateway        ${gateway.url}   (POST /v1/tasks, GET /v1/tasks/:id)`);
    say(`  Temporal UI    ${temporal.uiUrl ?? '(headless)'}`);
    say(`  Temporal gRPC  ${temporal.address}   namespace ${temporal.namespace}`);
    say(`  LLM            ${mockUrl ? `${mockUrl} (built-in mock)` : 'configured endpoint'}`);
    say(`  data           ${dataDir}`);
    say(`  worker         ${workers.workerInstanceId} on ${workers.workers.length} queues`);
    say(`  metrics        ${gateway.url}/metrics (gateway)`);
    say(`                 http://${variables.WORKER_METRICS_ADDRESS}/metrics (worker)`);
    say('Send a task:  npx ackflow send --prompt "Write a haiku about queues" --wait');
    say('Press Ctrl-C to stop.');

    await new Promise<void>((done) => {
      process.once('SIGINT', done);
      process.once('SIGTERM', done);
      void workersDone.catch((error) => {
        logger.error({ err: error }, 'worker stopped unexpectedly');
        done();
      });
    });
    say('stopping…');
    return 0;
  } finally {
    for (const stop of stops) await stop().catch((error) => logger.error({ err: error }, 'stop'));
  }
}
