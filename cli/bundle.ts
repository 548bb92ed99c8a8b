/**
 * `ackflow bundle`: builds the workflow bundle once, ahead of time, so production workers
 * load it with `ackflow worker --bundle <path>` instead of bundling the workflows at every
 * start. The container image runs this in its build stage.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { bundleWorkflowCode } from '@temporalio/worker';
import { quietBundlerLogger, WORKFLOWS_PATH } from '../worker/worker.ts';

export const DEFAULT_BUNDLE_PATH = 'dist/workflow-bundle.js';

/** Bundles the task workflows and writes the code to `out`; returns the absolute path. */
export async function writeWorkflowBundle(
  out: string,
  workflowsPath = WORKFLOWS_PATH,
): Promise<string> {
  const path = resolve(out);
  const { code } = await bundleWorkflowCode({ workflowsPath, logger: quietBundlerLogger });
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, code);
  return path;
}

export async function bundle(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { out: { type: 'string', default: DEFAULT_BUNDLE_PATH } },
  });
  const path = await writeWorkflowBundle(values.out);
  process.stdout.write(`workflow bundle written to ${path}\n`);
  return 0;
}
