import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { searchAttributeFlags } from '../protocol/search-attributes.ts';
import { provisionTemporalCli, type TemporalCli } from './temporal-cli.ts';
import { startDevServer, taskServerFlags } from './temporal-server.ts';

describe('taskServerFlags', () => {
  it('creates each namespace once, leaving out default, which always exists', () => {
    const flags = taskServerFlags('tasks', ['default', 'tests', 'tasks']);
    const namespaces = flags.filter((_, i) => flags[i - 1] === '--namespace');
    expect(namespaces).toEqual(['tasks', 'tests']);
  });

  it("registers the tasks' search attributes and turns on priority and fairness", () => {
    const flags = taskServerFlags('default');
    for (const attribute of searchAttributeFlags()) {
      expect(flags.join(' ')).toContain(`--search-attribute ${attribute}`);
    }
    expect(flags.join(' ')).toContain('--dynamic-config-value matching.useNewMatcher=true');
    expect(flags.join(' ')).toContain('--dynamic-config-value matching.enableFairness=true');
    expect(flags.join(' ')).toContain('matching.numTaskqueueReadPartitions=1');
    expect(flags.join(' ')).toContain('matching.numTaskqueueWritePartitions=1');
  });
});

describe('startDevServer, when the server exits at start', () => {
  let folder: string;
  let real: TemporalCli;
  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), 'ackflow-server-start-'));
    real = await provisionTemporalCli({ env: { TEMPORAL_CLI_PATH: inject('temporalCliPath') } });
  });
  afterAll(() => rm(folder, { recursive: true, force: true }));

  /** A `temporal` that dies as a lost port race does for its first `failures` starts. */
  async function flakyCli(failures: number): Promise<TemporalCli> {
    const path = join(folder, `temporal-failing-${failures}`);
    const count = `${path}.count`;
    await writeFile(
      path,
      [
        '#!/bin/sh',
        `n=$(cat '${count}' 2>/dev/null || echo 0); echo $((n + 1)) > '${count}'`,
        `if [ "$n" -lt ${failures} ]; then`,
        '  echo "panic: listen tcp 127.0.0.1:7243: bind: address already in use" >&2',
        '  exit 2',
        'fi',
        `exec '${real.path}' "$@"`,
      ].join('\n'),
    );
    await chmod(path, 0o755);
    return { ...real, path };
  }

  it('starts it again, and the server comes up', async () => {
    const server = await startDevServer({ cli: await flakyCli(2), uiPort: false });
    try {
      expect(server.address).toMatch(/^127\.0\.0\.1:\d+$/);
    } finally {
      await server.stop();
    }
  });

  it('gives up after three starts, with the reason the server printed first', async () => {
    const cli = await flakyCli(5);
    const starting = startDevServer({ cli, uiPort: false });
    await expect(starting).rejects.toThrow(/exited with code 2\n.*bind: address already in use/);
    expect((await readFile(`${cli.path}.count`, 'utf8')).trim()).toBe('3');
  });
});
