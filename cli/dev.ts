/**
 * `ackflow dev`: the whole stack on one machine. The Temporal dev server with its Web UI and
 * a SQLite file under the data folder, the mock LLM when no key is set, a worker serving
 * both queues, and the gateway. Ctrl-C stops everything in order (gateway, worker, mock,
 * server), so the worker can finish or hand back its running chunks before the server goes;
 * a second start reuses the data.
 */
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { startMockLlm } from '../bench/mock-llm/index.ts';
import { parseVariables } from '../protocol/variables.ts';
import { createLogger } from './logger.ts';
import { MOCK_LLM_PORT, usesMockLlm } from './settings.ts';
import { launchGateway, launchWorkers } from './stack.ts';
import { provisionTemporalCli } from './temporal-cli.ts';
import { watchStopSignals } from './stop-signals.ts';
import { startDevServer } from './temporal-server.ts';

const USAGE = `usage: ackflow dev [--data-dir .data] [--temporal-port 7233] [--ui-port 8233]
  [--mock-port 8788] [--worker-metrics-port 9464]
The gateway listens on PORT (8787); signatures must name GATEWAY_PUBLIC_URL, so set both to
move it, and pass the same URL to \`ackflow send --url\`.`;

export async function dev(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      help: { type: 'boolean', default: false },
      'data-dir': { type: 'string', default: '.data' },
      'temporal-port': { type: 'string', default: '7233' },
      'ui-port': { type: 'string', default: '8233' },
      'mock-port': { type: 'string', default: String(MOCK_LLM_PORT) },
      'worker-metrics-port': { type: 'string', default: '9464' },
    },
  });
  if (values.help) {
    process.stderr.write(`${USAGE}\n`);
    return 0;
  }
  const variables = parseVariables(process.env);
  const logger = createLogger('ackflow-dev', variables.LOG_LEVEL);
  const dataDir = resolve(values['data-dir']);
  const stops: Array<() => Promise<unknown>> = [];
  const say = (line: string) => process.stdout.write(`${line}\n`);
  const stop = watchStopSignals((signal) =>
    say(`${signal}: still stopping; running chunks finish or are handed back within 10 s`),
  );

  try {
    const cli = await provisionTemporalCli({ log: say }).catch((error: Error) => {
      say(`${error.message}; falling back to the Temporal SDK's download (needs the internet)`);
      return undefined;
    });
    // Provisioning can take minutes; a Ctrl-C meanwhile should not start a server after all.
    if (stop.received()) return 0;
    if (cli) say(`temporal CLI: ${cli.path} (from ${cli.source}; ${cli.version.split('\n')[0]})`);
    const temporal = await startDevServer({
      cli,
      port: Number(values['temporal-port']),
      uiPort: Number(values['ui-port']),
      dbFile: join(dataDir, 'temporal.db'),
      logFile: join(dataDir, 'temporal.log'),
      // Out of Ctrl-C's reach, so the worker can report its running chunks before it stops.
      ownGroup: true,
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

    await Promise.race([
      stop.requested,
      workersDone.catch((error) => logger.error({ err: error }, 'worker stopped unexpectedly')),
    ]);
    say('stopping: gateway, worker, then the Temporal server…');
    return 0;
  } finally {
    for (const close of stops) {
      await close().catch((error) => logger.error({ err: error }, 'stop'));
    }
    stop.dispose();
  }
}
