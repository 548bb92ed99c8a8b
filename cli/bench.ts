/**
 * `ackflow bench <name>`: measurements taken on this machine, each starting the stack it
 * needs and closing it again. `ack` times the gateway's answer against a bare workflow start.
 */
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { pino } from 'pino';
import { compareAck, saturate, saturationRates, SUSTAINED } from '../bench/ack-latency.ts';
import { ACK_USAGE, type AckOptions, parseAckOptions } from '../bench/ack-options.ts';
import { reportJson, reportLines } from '../bench/ack-report.ts';
import { startGatewayProcess } from '../bench/gateway-process.ts';
import { BENCH_TASK_TYPE, bareStartScenario, gatewayAckScenario } from '../bench/ack-scenarios.ts';
import { startMockLlm } from '../bench/mock-llm/index.ts';
import { machine } from '../bench/machine.ts';
import { countTasks, settler } from '../bench/settle.ts';
import { parseVariables } from '../protocol/variables.ts';
import { installTemporalLogger } from '../worker/runtime-logger.ts';
import { gatewayConfig } from './settings.ts';
import { launchWorkers } from './stack.ts';
import { provisionTemporalCli } from './temporal-cli.ts';
import { freePort, startDevServer } from './temporal-server.ts';

const say = (line: string) => process.stdout.write(`${line}\n`);

/** The 1-minute load average: a busy machine (say, a test run) skews every figure. */
const load = () => loadavg()[0]?.toFixed(2) ?? '?';

/** Each request gives up after this long, so a saturated run still ends. */
const REQUEST_TIMEOUT_MS = 10_000;
/** The longest wait for earlier tasks to finish before a segment starts anyway. */
const SETTLE_TIMEOUT_MS = 60_000;

const BENCHES: Record<string, { run: (argv: string[]) => Promise<number>; help: string }> = {
  ack: { run: benchAck, help: 'gateway ACK latency against a bare workflow start' },
};

export async function bench(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  const benchmark = name ? BENCHES[name] : undefined;
  if (!benchmark) {
    const rows = Object.entries(BENCHES).map(([key, { help }]) => `  ${key.padEnd(8)}${help}`);
    process.stderr.write(`usage: ackflow bench <name> [options]\n\n${rows.join('\n')}\n`);
    return name === undefined || name === '--help' ? 0 : 2;
  }
  return benchmark.run(rest);
}

async function benchAck(argv: string[]): Promise<number> {
  const options = parseAckOptions(argv);
  if (options.help) {
    process.stderr.write(`${ACK_USAGE}\n`);
    return 0;
  }

  const loadBefore = load();
  say(`load average before: ${loadBefore} on ${availableParallelism()} CPUs`);
  const stack = await startAckStack(options.storage, options.workers);
  try {
    const bare = bareStartScenario(stack.client, stack.bareStart);
    const gateway = gatewayAckScenario(stack.gateway);
    // Without workers nothing finishes, so there is nothing to wait for between segments.
    const { settle, waits } =
      options.workers === 'local'
        ? settler(stack.client, SETTLE_TIMEOUT_MS, say)
        : { settle: async () => undefined, waits: [] };
    say(`storage: ${stack.storage}`);
    say(
      `workers: ${options.workers === 'local' ? 'here, running every task' : 'none (elsewhere)'}`,
    );
    say(
      `bench ack: ${options.rate}/s, ${options.durationS} s measured per scenario ` +
        `in ${options.rounds} alternating rounds, after ${options.warmupS} s of warm-up`,
    );
    const comparison = await compareAck(bare, gateway, {
      ...options,
      timeoutMs: REQUEST_TIMEOUT_MS,
      log: say,
      settle,
    });
    const saturation = options.saturate
      ? await saturate(gateway, {
          ...SUSTAINED,
          rates: saturationRates(options.maxRate),
          stepS: options.stepS,
          timeoutMs: REQUEST_TIMEOUT_MS,
          log: say,
          settle,
        })
      : undefined;

    await settle();
    const tasks = await countTasks(stack.client);
    const storageBytes = await stack.storageBytes();
    const report = { ...comparison, saturation, storage: stack.storage, storageBytes, tasks };
    const loadAfter = load();
    say('');
    for (const line of reportLines(report)) say(line);
    say(await gatewayOwnTime(stack.gateway.url));
    say(`load average: ${loadBefore} before, ${loadAfter} after`);
    if (options.json) {
      const context = {
        date: new Date().toISOString(),
        options,
        machine: await machine(stack.temporalCliVersion),
        loadAverage: { before: Number(loadBefore), after: Number(loadAfter) },
        settles: waits,
      };
      await writeFile(options.json, `${JSON.stringify(reportJson(report, context))}\n`);
      say(`raw results: ${options.json}`);
    }
    return 0;
  } finally {
    await stack.stop();
  }
}

/**
 * What the comparison needs, started as `ackflow dev` starts it: the Temporal dev server on
 * a SQLite file, the mock LLM, workers on both queues so the started tasks really run, and
 * the gateway over real HTTP. `stop()` closes them again, newest first.
 */
async function startAckStack(store: AckOptions['storage'], workersAt: AckOptions['workers']) {
  const stops: Array<() => Promise<unknown>> = [];
  const stop = async () => {
    for (const close of stops) await close().catch((error) => say(`stopping: ${error}`));
  };
  try {
    const cli = await provisionTemporalCli({ log: say }).catch((error: Error) => {
      say(`${error.message}; falling back to the Temporal SDK's download (needs the internet)`);
      return undefined;
    });
    const dir = await mkdtemp(join(tmpdir(), 'ackflow-bench-'));
    stops.unshift(() => rm(dir, { recursive: true, force: true }));
    const dbFile = join(dir, 'temporal.db');
    const temporal = await startDevServer({
      cli,
      uiPort: false,
      dbFile: store === 'sqlite' ? dbFile : undefined,
      logFile: join(dir, 'temporal.log'),
    });
    stops.unshift(() => temporal.stop());
    // Only the CLI path sets the WAL pragma; the SDK's download keeps SQLite's default.
    const journal = cli ? 'journal_mode=wal' : 'default journal';
    const storage =
      store === 'sqlite' ? `SQLite file, ${journal} (${dbFile})` : 'SQLite in memory (no file)';

    const mock = await startMockLlm({ port: 0 });
    stops.unshift(() => mock.close());

    // A fixed environment rather than this shell's, with the bench's own keys and secrets.
    const publicUrl = 'http://bench.local';
    const signingKey = 'sig_bench_current';
    const env = {
      NODE_ENV: 'development',
      LOG_LEVEL: 'warn',
      GATEWAY_PUBLIC_URL: publicUrl,
      QSTASH_CURRENT_SIGNING_KEY: signingKey,
      QSTASH_NEXT_SIGNING_KEY: 'sig_bench_next',
      GATEWAY_TOKEN_SECRET: 'bench-read-token-secret',
      CALLBACK_SIGNING_SECRET: 'bench-callback-secret',
      TEMPORAL_ADDRESS: temporal.address,
      TEMPORAL_NAMESPACE: temporal.namespace,
      BLOB_DIR: join(dir, 'blobs'),
      LLM_BASE_URL: mock.url,
    };
    const variables = parseVariables(env);
    const config = gatewayConfig(variables, mock.url);
    const route = config.routes[BENCH_TASK_TYPE] ?? {};
    if (route.inlinePercent) {
      throw new Error(`the routes file runs ${route.inlinePercent}% of ${BENCH_TASK_TYPE} inline`);
    }
    const logger = pino({ level: 'warn' });

    // Installed first, so the SDK's own lines stay quiet; the runtime takes one logger.
    installTemporalLogger(logger, 'WARN');
    if (workersAt === 'local') {
      const workers = await launchWorkers(variables, logger, { mockUrl: mock.url });
      stops.unshift(() => workers.connection.close());
      const workersDone = workers.run().catch((error) => say(`workers stopped: ${error}`));
      stops.unshift(async () => {
        workers.shutdown();
        await workersDone;
      });
    }

    // A process of its own, as deployed: the load generator here does not share its loop.
    const gateway = await startGatewayProcess(env, await freePort());
    stops.unshift(() => gateway.close());

    // The bare start gets its own connection, made the same way as the gateway's.
    const connection = await Connection.connect({ address: temporal.address });
    stops.unshift(() => connection.close());
    const client = new Client({ connection, namespace: temporal.namespace });

    const storageBytes = async () => {
      const files = ['', '-wal', '-shm'].map((end) => `${dbFile}${end}`);
      const sizes = await Promise.all(
        files.map((file) =>
          stat(file).then(
            (s) => s.size,
            () => 0,
          ),
        ),
      );
      return sizes.reduce((sum, size) => sum + size, 0);
    };
    return {
      client,
      gateway: { url: gateway.url, publicUrl, signingKey },
      bareStart: {
        startTimeoutMs: config.startTimeoutMs,
        tier: route.tier,
        priority: route.priority,
      },
      storage,
      storageBytes,
      temporalCliVersion: cli?.version.split('\n')[0] ?? 'SDK download',
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * The gateway's own answer time for accepted deliveries, from its metrics: how much of the
 * ACK the gateway spends inside itself, the rest being the HTTP exchange around it.
 */
async function gatewayOwnTime(url: string): Promise<string> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const read = (name: string) =>
    text
      .split('\n')
      .filter((line) => line.startsWith(`${name}{`) && line.includes('outcome="accepted"'))
      .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
  const seconds = read('ackflow_gateway_ack_duration_seconds_sum');
  const count = read('ackflow_gateway_ack_duration_seconds_count');
  const mean = count > 0 ? ((seconds / count) * 1000).toFixed(2) : '?';
  return `gateway's own time per accepted delivery (mean, from its metrics): ${mean} ms`;
}
