/**
 * `ackflow bench <name>`: measurements taken on this machine, each starting the stack it
 * needs and closing it again. `ack` times the gateway's answer against a bare workflow start.
 */
import { stat, writeFile } from 'node:fs/promises';
import { availableParallelism, loadavg } from 'node:os';
import { Client, Connection } from '@temporalio/client';
import { pino } from 'pino';
import { compareAck, saturate, saturationRates, SUSTAINED } from '../bench/ack-latency.ts';
import { ACK_USAGE, type AckOptions, parseAckOptions } from '../bench/ack-options.ts';
import { reportJson, reportLines } from '../bench/ack-report.ts';
import { startGatewayProcess } from '../bench/service-process.ts';
import { BENCH_TASK_TYPE, bareStartScenario, gatewayAckScenario } from '../bench/ack-scenarios.ts';
import { startMockLlm } from '../bench/mock-llm/index.ts';
import { machine } from '../bench/machine.ts';
import { countTasks, settler } from '../bench/settle.ts';
import { parseVariables } from '../protocol/variables.ts';
import { installTemporalLogger } from '../worker/runtime-logger.ts';
import { gatewayConfig } from './settings.ts';
import { launchWorkers } from './stack.ts';
import { benchE2e } from './bench-e2e.ts';
import { benchMemory } from './bench-memory.ts';
import { BENCH_PUBLIC_URL, BENCH_SIGNING_KEY, startBenchBase } from './bench-stack.ts';
import { freePort } from './temporal-server.ts';

const say = (line: string) => process.stdout.write(`${line}\n`);

/** The 1-minute load average: a busy machine (say, a test run) skews every figure. */
const load = () => loadavg()[0]?.toFixed(2) ?? '?';

/** Each request gives up after this long, so a saturated run still ends. */
const REQUEST_TIMEOUT_MS = 10_000;
/** The longest wait for earlier tasks to finish before a segment starts anyway. */
const SETTLE_TIMEOUT_MS = 60_000;

const BENCHES: Record<string, { run: (argv: string[]) => Promise<number>; help: string }> = {
  ack: { run: benchAck, help: 'gateway ACK latency against a bare workflow start' },
  e2e: {
    run: (argv) => benchE2e(argv, say),
    help: 'tasks/s and slot hold behind QStash parallelism: inline, durable, BullMQ',
  },
  memory: {
    run: (argv) => benchMemory(argv, say),
    help: 'worker memory and CPU with 200 streaming activities at once',
  },
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
 * What the comparison needs, started as `ackflow dev` starts it: the bench base (Temporal on
 * a SQLite file), the mock LLM, workers on both queues when asked, and the gateway over
 * real HTTP in a process of its own. `stop()` closes them again, newest first.
 */
async function startAckStack(store: AckOptions['storage'], workersAt: AckOptions['workers']) {
  const base = await startBenchBase(store, say);
  try {
    const mock = await startMockLlm({ port: 0 });
    base.onClose(() => mock.close());
    const env = { ...base.env, LLM_BASE_URL: mock.url };
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
      base.onClose(() => workers.connection.close());
      const workersDone = workers.run().catch((error) => say(`workers stopped: ${error}`));
      base.onClose(async () => {
        workers.shutdown();
        await workersDone;
      });
    }

    // A process of its own, as deployed: the load generator here does not share its loop.
    const gateway = await startGatewayProcess(env, await freePort());
    base.onClose(() => gateway.close());

    // The bare start gets its own connection, made the same way as the gateway's.
    const connection = await Connection.connect({ address: base.temporal.address });
    base.onClose(() => connection.close());
    const client = new Client({ connection, namespace: base.temporal.namespace });

    const storageBytes = async () => {
      const files = ['', '-wal', '-shm'].map((end) => `${base.dbFile}${end}`);
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
      gateway: { url: gateway.url, publicUrl: BENCH_PUBLIC_URL, signingKey: BENCH_SIGNING_KEY },
      bareStart: {
        startTimeoutMs: config.startTimeoutMs,
        tier: route.tier,
        priority: route.priority,
      },
      storage: base.storage,
      storageBytes,
      temporalCliVersion: base.temporalCliVersion,
      stop: base.close,
    };
  } catch (error) {
    await base.close();
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
