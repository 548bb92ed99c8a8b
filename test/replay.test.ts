/**
 * Every recorded history (test/histories, one per task type and per way a task ends)
 * replays against the current workflow code, so a change that would break running tasks
 * fails here first, as does an SDK upgrade that changes behaviour.
 */
import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { DeterminismViolationError } from '@temporalio/workflow';
import { bundleWorkflowCode, Worker, type WorkflowBundle } from '@temporalio/worker';
import { pino } from 'pino';
import { beforeAll, describe, expect, it } from 'vitest';
import { installTemporalLogger } from '../worker/runtime-logger.ts';
import { quietBundlerLogger, WORKFLOWS_PATH } from '../worker/worker.ts';

const dir = new URL('./histories/', import.meta.url);
const names = (await readdir(dir)).filter((name) => name.endsWith('.json')).sort();
const histories = await Promise.all(
  names.map(async (name) => ({
    workflowId: name.replace(/\.json$/, ''),
    history: JSON.parse(await readFile(new URL(name, dir), 'utf8')),
  })),
);

async function replayAll(workflowBundle: WorkflowBundle) {
  const failures: Record<string, Error> = {};
  for await (const result of Worker.runReplayHistories({ workflowBundle }, histories)) {
    if (result.error) failures[result.workflowId] = result.error;
  }
  return failures;
}

beforeAll(() => installTemporalLogger(pino({ level: 'error' }), 'ERROR'));

describe('recorded histories', () => {
  it('cover every task type and every way a task ends', () => {
    const outcomes = [
      'completed',
      'retried',
      'failed',
      'fallen-back',
      'cancelled',
      'continued-as-new',
    ];
    for (const expected of outcomes) {
      expect(
        names.some((name) => name.includes(expected)),
        expected,
      ).toBe(true);
    }
    for (const type of ['generate', 'resume-tailor', 'interview-prep']) {
      expect(
        names.some((name) => name.startsWith(type)),
        type,
      ).toBe(true);
    }
  });

  it('all replay against the current workflow code', async () => {
    const bundle = await bundleWorkflowCode({
      workflowsPath: WORKFLOWS_PATH,
      logger: quietBundlerLogger,
    });
    expect(await replayAll(bundle)).toEqual({});
  });

  it('fail to replay against a non-deterministic change', async () => {
    const bundle = await bundleWorkflowCode({
      workflowsPath: fileURLToPath(
        new URL('./support/nondeterministic-workflows.ts', import.meta.url),
      ),
      logger: quietBundlerLogger,
    });
    const failures = await replayAll(bundle);
    const taskHistories = histories.map((h) => h.workflowId);
    expect(Object.keys(failures).sort()).toEqual(taskHistories);
    for (const error of Object.values(failures)) {
      expect(error).toBeInstanceOf(DeterminismViolationError);
    }
  });
});
