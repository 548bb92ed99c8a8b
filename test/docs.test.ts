/**
 * The documents against the software they describe: relative links lead to files that exist,
 * the README's layout table names the folders there are, and no passage calls a command
 * planned or missing that `ackflow --help` lists.
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DOCUMENTS = [
  'README.md',
  ...readdirSync(join(ROOT, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .map((name) => `docs/${name}`),
];
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');

/** Paragraphs and list items: the unit a "not built yet" sentence speaks about. */
function passages(text: string): string[] {
  return text.split(/\n\s*\n|\n(?=\s*[-*] |\s*\d+\. )/);
}

describe('the documentation', () => {
  it('links only to files that exist', () => {
    const broken: string[] = [];
    for (const path of DOCUMENTS) {
      for (const [, target] of read(path).matchAll(/\]\(([^)\s]+)\)/g)) {
        if (!target || /^([a-z]+:|#)/.test(target)) continue;
        const file = join(ROOT, dirname(path), target.split('#')[0]!);
        if (!existsSync(file)) broken.push(`${path} → ${target}`);
      }
    }
    expect(broken).toEqual([]);
  });

  it("lays out in the README's table the folders that hold TypeScript, and no others", () => {
    const table = read('README.md').split('## Layout')[1]!.split('\n## ')[0]!;
    const listed = [...table.matchAll(/^\| `([a-z-]+)\/` +\|/gm)].map((match) => match[1]!);
    const folders = readdirSync(ROOT, { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && !/^(\.|node_modules$)/.test(entry.name))
      .map((entry) => entry.name);
    for (const name of listed) expect(folders).toContain(name);
    const withSources = folders.filter((name) =>
      readdirSync(join(ROOT, name)).some((file) => file.endsWith('.ts')),
    );
    expect(listed).toEqual(expect.arrayContaining(withSources));
  });

  it('calls no command planned or missing that `ackflow --help` lists', async () => {
    const bin = join(ROOT, 'bin/ackflow.js');
    const { stderr } = await promisify(execFile)(process.execPath, [bin, '--help']);
    const commands = [...stderr.matchAll(/^ {2}([a-z-]+) /gm)].map((match) => match[1]!);
    expect(commands).toContain('redrive');

    const stale: string[] = [];
    for (const path of DOCUMENTS) {
      for (const passage of passages(read(path))) {
        if (!/not built|planned|not present|not (?:available|implemented) yet/i.test(passage)) {
          continue;
        }
        for (const [, name] of passage.matchAll(/`(?:npx )?ackflow ([a-z-]+)/g)) {
          if (commands.includes(name!)) stale.push(`${path}: ackflow ${name} in "${passage}"`);
        }
      }
    }
    expect(stale).toEqual([]);
  }, 30_000);
});
