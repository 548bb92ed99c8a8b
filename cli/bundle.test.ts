import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import { pino } from 'pino';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installTemporalLogger } from '../worker/runtime-logger.ts';
import { writeWorkflowBundle } from './bundle.ts';

const HISTORY = new URL('../test/histories/generate-completed.json', import.meta.url);
const NONDETERMINISTIC = fileURLToPath(
  new URL('../test/support/nondeterministic-workflows.ts', import.meta.url),
);

let dir: string;

beforeAll(async () => {
  installTemporalLogger(pino({ level: 'error' }), 'ERROR');
  dir = await mkdtemp(join(tmpdir(), 'ackflow-bundle-'));
});

afterAll(() => rm(dir, { recursive: true, force: true }));

describe('ackflow bundle', () => {
  it('writes a bundle that a recorded history replays against', async () => {
    const codePath = await writeWorkflowBundle(join(dir, 'nested', 'workflow-bundle.js'));
    const history = JSON.parse(await readFile(HISTORY, 'utf8'));

    expect((await readFile(codePath, 'utf8')).length).toBeGreaterThan(1000);
    await expect(
      Worker.runReplayHistory({ workflowBundle: { codePath } }, history, 'generate-completed'),
    ).resolves.toBeUndefined();
  });

  it('leaves zod out: the bundle is evaluated anew for every cached workflow', async () => {
    const code = await readFile(await writeWorkflowBundle(join(dir, 'lean.js')), 'utf8');
    expect(code).not.toMatch(/node_modules\/zod\//);
  });

  it('writes a bundle whose replay catches a non-deterministic change', async () => {
    const codePath = await writeWorkflowBundle(join(dir, 'changed.js'), NONDETERMINISTIC);
    const history = JSON.parse(await readFile(HISTORY, 'utf8'));

    await expect(
      Worker.runReplayHistory({ workflowBundle: { codePath } }, history, 'generate-completed'),
    ).rejects.toBeInstanceOf(DeterminismViolationError);
  });
});
