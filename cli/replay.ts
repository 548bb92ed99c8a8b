/**
 * `ackflow replay`: replays workflow histories against the current workflow code and exits
 * non-zero on any nondeterminism, so it can gate a deploy. Histories come from files
 * (`temporal workflow show -o json`), from the server by workflow id, or from every open
 * workflow that a visibility query finds.
 */
import { readFile } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  bundleWorkflowCode,
  type ReplayResult,
  Worker,
  type WorkflowBundleOption,
} from '@temporalio/worker';
import { parseVariables } from '../protocol/variables.ts';
import { installTemporalLogger } from '../worker/runtime-logger.ts';
import { quietBundlerLogger, WORKFLOWS_PATH } from '../worker/worker.ts';
import { createLogger } from './logger.ts';
import { blobDataConverter, openClient } from './stack.ts';

const USAGE = `usage: ackflow replay [--file HISTORY.json …] [--workflow-id ID …] [--open]
  [--query 'VISIBILITY QUERY'] [--bundle BUNDLE.js | --workflows PATH]`;

interface HistorySource {
  workflowId: string;
  history: unknown;
}

export async function replay(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      file: { type: 'string', multiple: true, default: [] },
      'workflow-id': { type: 'string', multiple: true, default: [] },
      open: { type: 'boolean', default: false },
      query: { type: 'string' },
      bundle: { type: 'string' },
      workflows: { type: 'string' },
    },
  });
  const fromServer = values['workflow-id'].length > 0 || values.open || values.query;
  if (values.file.length === 0 && !fromServer) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const variables = parseVariables(process.env);
  installTemporalLogger(createLogger('ackflow-replay', 'error'), 'ERROR');

  const sources: HistorySource[] = [];
  for (const file of values.file) {
    const history = JSON.parse(await readFile(file, 'utf8'));
    sources.push({ workflowId: basename(file).replace(/\.json$/, ''), history });
  }
  if (fromServer) {
    const { client, connection } = await openClient(variables);
    try {
      const ids = [...values['workflow-id']];
      const query = values.query ?? (values.open ? 'ExecutionStatus = "Running"' : undefined);
      if (query) {
        for await (const execution of client.workflow.list({ query }))
          ids.push(execution.workflowId);
      }
      for (const workflowId of ids) {
        const history = await client.workflow.getHandle(workflowId).fetchHistory();
        sources.push({ workflowId, history });
      }
    } finally {
      await connection.close();
    }
  }

  const workflowBundle: WorkflowBundleOption = values.bundle
    ? { codePath: values.bundle }
    : await bundleWorkflowCode({
        workflowsPath: values.workflows ? resolve(values.workflows) : WORKFLOWS_PATH,
        logger: quietBundlerLogger,
      });
  let failed = 0;
  const results: AsyncIterable<ReplayResult> = Worker.runReplayHistories(
    { workflowBundle, dataConverter: blobDataConverter(variables) },
    sources,
  );
  for await (const result of results) {
    if (result.error) {
      failed += 1;
      process.stdout.write(`FAIL ${result.workflowId}: ${result.error.message}\n`);
    } else {
      process.stdout.write(`ok   ${result.workflowId}\n`);
    }
  }
  process.stdout.write(`${sources.length - failed} replayed, ${failed} failed\n`);
  return failed === 0 ? 0 : 1;
}
