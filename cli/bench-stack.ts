/**
 * What every `ackflow bench` measurement stands on, started as `ackflow dev` starts it and
 * closed again newest first: the Temporal dev server from the provisioned CLI on a fresh
 * SQLite file (WAL) in a temporary folder, and one environment of the bench's own keys and
 * secrets for the processes it launches, rather than this shell's.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeWorkflowBundle } from './bundle.ts';
import { provisionTemporalCli } from './temporal-cli.ts';
import { type DevServer, startDevServer } from './temporal-server.ts';

export const BENCH_PUBLIC_URL = 'http://bench.local';
export const BENCH_SIGNING_KEY = 'sig_bench_current';

export interface BenchBase {
  dir: string;
  dbFile: string;
  temporal: DevServer;
  /** What the run stored its tasks in, for the record. */
  storage: string;
  temporalCliVersion: string;
  /** Builds the workflow bundle that production workers load (`worker --bundle`). */
  workflowBundle(): Promise<string>;
  /** The environment of a gateway or worker of this stack. */
  env: Record<string, string>;
  /** Registers something to close; closers run newest first. */
  onClose(close: () => Promise<unknown>): void;
  close(): Promise<void>;
}

export async function startBenchBase(
  store: 'sqlite' | 'memory',
  say: (line: string) => void,
): Promise<BenchBase> {
  const closers: Array<() => Promise<unknown>> = [];
  const close = async () => {
    for (const closer of closers.splice(0)) {
      await closer().catch((error) => say(`stopping: ${error}`));
    }
  };
  try {
    const cli = await provisionTemporalCli({ log: say }).catch((error: Error) => {
      say(`${error.message}; falling back to the Temporal SDK's download (needs the internet)`);
      return undefined;
    });
    const dir = await mkdtemp(join(tmpdir(), 'ackflow-bench-'));
    closers.unshift(() => rm(dir, { recursive: true, force: true }));
    const dbFile = join(dir, 'temporal.db');
    const temporal = await startDevServer({
      cli,
      uiPort: false,
      dbFile: store === 'sqlite' ? dbFile : undefined,
      logFile: join(dir, 'temporal.log'),
    });
    closers.unshift(() => temporal.stop());
    // Only the CLI path sets the WAL pragma; the SDK's download keeps SQLite's default.
    const journal = cli ? 'journal_mode=wal' : 'default journal';
    const storage =
      store === 'sqlite' ? `SQLite file, ${journal} (${dbFile})` : 'SQLite in memory (no file)';
    const env = {
      NODE_ENV: 'development',
      LOG_LEVEL: 'warn',
      GATEWAY_PUBLIC_URL: BENCH_PUBLIC_URL,
      QSTASH_CURRENT_SIGNING_KEY: BENCH_SIGNING_KEY,
      QSTASH_NEXT_SIGNING_KEY: 'sig_bench_next',
      GATEWAY_TOKEN_SECRET: 'bench-read-token-secret',
      CALLBACK_SIGNING_SECRET: 'bench-callback-secret',
      TEMPORAL_ADDRESS: temporal.address,
      TEMPORAL_NAMESPACE: temporal.namespace,
      BLOB_DIR: join(dir, 'blobs'),
    };
    return {
      dir,
      workflowBundle: () => writeWorkflowBundle(join(dir, 'workflow-bundle.js')),
      dbFile,
      temporal,
      storage,
      temporalCliVersion: cli?.version.split('\n')[0] ?? 'SDK download',
      env,
      onClose: (closer) => void closers.unshift(closer),
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
