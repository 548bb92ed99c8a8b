/**
 * Records the histories that test/replay.test.ts replays on every change: one per task type
 * and per way a task can end. Run it again only for a deliberate, patched workflow change,
 * naming the scenarios to record (all when none is named) and keeping the older files:
 *
 *   npx tsx test/histories/record.ts [scenario …]
 *
 * It starts its own Temporal dev server, mock LLM and worker, and writes one
 * `<scenario>.json` per scenario here, in the format of `temporal workflow show -o json`.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createServer } from 'node:http';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { pino } from 'pino';
import { type FaultSpec, startMockLlm } from '../../bench/mock-llm/index.ts';
import { createFolderBlobStore } from '../../activities/blob-store.ts';
import { provisionTemporalCli } from '../../cli/temporal-cli.ts';
import { startDevServer } from '../../cli/temporal-server.ts';
import { TASK_QUEUES, type TaskWorkflowInput } from '../../protocol/workflow-api.ts';
import { installTemporalLogger } from '../../worker/runtime-logger.ts';
import { createWorkers } from '../../worker/worker.ts';

interface Scenario {
  name: string;
  type: string;
  input: object;
  fault?: FaultSpec;
  cancelAfterMs?: number;
  callback?: boolean;
}

const SCENARIOS: Scenario[] = [
  { name: 'generate-completed', type: 'llm.generate', input: { prompt: 'a [[mock:tokens=300]]' } },
  {
    name: 'resume-tailor-completed',
    type: 'resume.tailor',
    input: {
      resume: 'Jane Doe, backend engineer [[mock:tokens=60]]',
      jobDescription: 'Staff engineer [[mock:tokens=60]]',
      sections: ['Summary'],
    },
  },
  {
    name: 'interview-prep-completed',
    type: 'interview.prep',
    input: { jobDescription: 'Platform engineer [[mock:tokens=50]]', questionCount: 3 },
  },
  {
    name: 'generate-retried',
    type: 'llm.generate',
    input: { prompt: 'retried [[mock:tokens=300]]' },
    fault: { kind: 'server_error', match: 'retried' },
  },
  {
    name: 'generate-failed',
    type: 'llm.generate',
    input: { prompt: 'refused [[mock:tokens=100]]' },
    fault: { kind: 'bad_request', match: 'refused' },
  },
  {
    name: 'generate-fallen-back',
    type: 'llm.generate',
    input: { prompt: 'fallback [[mock:tokens=100]]' },
    fault: { kind: 'server_error', match: 'fallback', model: 'mock-fast', count: 3 },
  },
  {
    name: 'generate-cancelled',
    type: 'llm.generate',
    input: { prompt: 'cancelled [[mock:tokens=2000]] [[mock:tps=100]]' },
    cancelAfterMs: 1_500,
  },
  {
    // 520 one-token chunks: the first run stops at 500 and continues as new.
    name: 'generate-continued-as-new',
    type: 'llm.generate',
    input: { prompt: 'long [[mock:tokens=520]]', chunkTokens: 1, maxOutputTokens: 520 },
  },
  {
    name: 'generate-with-callback',
    type: 'llm.generate',
    input: { prompt: 'callback [[mock:tokens=40]]' },
    callback: true,
  },
];

async function main() {
  const cli = await provisionTemporalCli({ log: console.log });
  const server = await startDevServer({ cli, uiPort: false });
  const mock = await startMockLlm({ port: 0, tokensPerSecond: 0 });
  const receiver = createServer((_request, response) => response.writeHead(204).end());
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const callbackUrl = `http://127.0.0.1:${(receiver.address() as { port: number }).port}/hooks`;

  installTemporalLogger(pino({ level: 'warn' }), 'WARN');
  const workerConnection = await NativeConnection.connect({ address: server.address });
  const workers = await createWorkers({
    connection: workerConnection,
    namespace: 'default',
    taskQueues: Object.values(TASK_QUEUES),
    llm: { baseURL: mock.url, apiKey: 'record' },
    callback: { secret: 'record', allowedHosts: [], allowPrivateAddresses: true },
    blobStore: createFolderBlobStore(await mkdtemp(join(tmpdir(), 'ackflow-record-'))),
  });
  const running = workers.run();
  const connection = await Connection.connect({ address: server.address });
  const client = new Client({ connection });

  try {
    const chosen = process.argv.slice(2);
    for (const scenario of SCENARIOS) {
      if (chosen.length > 0 && !chosen.includes(scenario.name)) continue;
      if (scenario.fault) mock.faults.add(scenario.fault);
      const task: TaskWorkflowInput = {
        taskId: `history-${scenario.name}`,
        type: scenario.type,
        input: scenario.input,
        model: scenario.type === 'llm.generate' ? 'mock-fast' : 'mock-large',
        tier: 'light',
        callbackUrl: scenario.callback ? callbackUrl : undefined,
        delivery: { source: 'api', retryCount: 0, receivedAt: new Date().toISOString() },
      };
      const handle = await client.workflow.start('taskWorkflow', {
        workflowId: task.taskId,
        taskQueue: TASK_QUEUES.light,
        args: [task],
      });
      if (scenario.cancelAfterMs) {
        await new Promise((resolve) => setTimeout(resolve, scenario.cancelAfterMs));
        await handle.cancel();
      }
      const outcome = await handle.result().then(
        () => 'completed',
        (error: Error) => error.name,
      );
      const { stdout } = await promisify(execFile)(
        cli.path,
        // The first run: for a task that continued as new, the run that handed over.
        ['workflow', 'show', '--workflow-id', task.taskId, '--run-id', handle.firstExecutionRunId]
          .concat(['--output', 'json']),
        { env: { ...process.env, TEMPORAL_ADDRESS: server.address }, maxBuffer: 64 << 20 },
      );
      await writeFile(new URL(`${scenario.name}.json`, import.meta.url), stdout);
      const events = (JSON.parse(stdout) as { events: unknown[] }).events.length;
      console.log(`${scenario.name}: ${outcome}, ${events} events`);
    }
  } finally {
    workers.shutdown();
    await running;
    await workerConnection.close();
    await connection.close();
    await mock.close();
    receiver.close();
    await server.stop();
  }
}

await main();
process.exit(0);
