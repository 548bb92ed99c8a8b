/**
 * Runs the Temporal dev server (server and Web UI in one process) from a binary found by
 * temporal-cli.ts, or through the SDK's own download where no binary could be had.
 * The caller owns the process it gets back and stops it by pid, never by name.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir, open } from 'node:fs/promises';
import { createServer } from 'node:net';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Connection } from '@temporalio/client';
import { searchAttributeFlags } from '../protocol/search-attributes.ts';
import type { TemporalCli } from './temporal-cli.ts';

export interface DevServerOptions {
  /** The binary to run; undefined means the SDK's download (internet only). */
  cli?: TemporalCli;
  ip?: string;
  /** gRPC port; 0 picks a free one. */
  port?: number;
  /** Web UI port; false runs headless. Defaults to a free port. */
  uiPort?: number | false;
  /** SQLite file that keeps tasks across restarts; in memory when absent. */
  dbFile?: string;
  namespace?: string;
  /** More namespaces to create at start, each with the task search attributes. */
  extraNamespaces?: string[];
  /** Where the server's own log goes; discarded when absent. */
  logFile?: string;
  readyTimeoutMs?: number;
  /**
   * Runs the server in a process group of its own. A terminal's Ctrl-C reaches its whole
   * foreground group; with this, it reaches the caller only, which must then stop the server
   * itself, after whatever still needs it (a draining worker). A caller that dies without
   * stopping it leaves it running.
   */
  ownGroup?: boolean;
}

export interface DevServer {
  address: string;
  namespace: string;
  uiUrl?: string;
  pid?: number;
  /** Stops the server: SIGTERM, then SIGKILL after a grace period. */
  stop(): Promise<void>;
}

export async function freePort(ip = '127.0.0.1'): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, ip, resolve);
  });
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (!address || typeof address === 'string') throw new Error('no free port');
  return address.port;
}

export async function startDevServer(options: DevServerOptions = {}): Promise<DevServer> {
  const ip = options.ip ?? '127.0.0.1';
  const namespace = options.namespace ?? 'default';
  const port = options.port || (await freePort(ip));
  const uiPort = options.uiPort === false ? undefined : options.uiPort || (await freePort(ip));
  if (!options.cli) return startWithSdkDownload({ ...options, ip, port, uiPort, namespace });

  const args = ['server', 'start-dev', '--ip', ip, '--port', String(port), '--log-format', 'json'];
  args.push(
    ...(uiPort ? ['--ui-port', String(uiPort), '--ui-disable-news-fetch'] : ['--headless']),
  );
  if (options.dbFile) {
    await mkdir(dirname(options.dbFile), { recursive: true });
    args.push('--db-filename', options.dbFile, '--sqlite-pragma', 'journal_mode=wal');
  }
  args.push(...taskServerFlags(namespace, options.extraNamespaces));

  const address = `${ip}:${port}`;
  // The CLI picks its other ports (HTTP API, metrics, the internal services') itself at
  // start; when another process takes one first it exits at once. A new start picks anew.
  for (let attempt = 1; ; attempt += 1) {
    const started = await spawnDevServer(options.cli.path, args, options);
    try {
      await waitUntilReady(address, namespace, started.child, options.readyTimeoutMs ?? 60_000);
    } catch (error) {
      await stopChild(started.child, started.exited);
      const exitedEarly = started.child.exitCode !== null || started.child.signalCode !== null;
      if (exitedEarly && attempt < START_ATTEMPTS) continue;
      throw new Error(`${(error as Error).message}\n${started.output()}`);
    }
    return {
      address,
      namespace,
      uiUrl: uiPort ? `http://${ip}:${uiPort}` : undefined,
      pid: started.child.pid,
      stop: () => stopChild(started.child, started.exited),
    };
  }
}

/** Starts tried before a server that keeps exiting at start is reported. */
const START_ATTEMPTS = 3;

async function spawnDevServer(path: string, args: string[], options: DevServerOptions) {
  const log = options.logFile ? await open(options.logFile, 'a') : undefined;
  const stdio = log
    ? (['ignore', log.fd, log.fd] as const)
    : (['ignore', 'ignore', 'pipe'] as const);
  const child = spawn(path, args, { stdio: [...stdio], detached: options.ownGroup });
  // The first lines say why a start failed (a Go panic puts its reason first); the last, how.
  let head = '';
  let tail = '';
  child.stderr?.on('data', (data: Buffer) => {
    if (head.length < 2_000) head += data.toString();
    tail = (tail + data.toString()).slice(-2_000);
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  void exited.finally(() => log?.close());
  const output = () => (head.length < 2_000 ? head : `${head.slice(0, 2_000)}\n…\n${tail}`);
  return { child, exited, output };
}

/**
 * What every server for tasks needs, however it is started: the namespaces, the tasks' search
 * attributes, and task-queue priority and per-tenant fairness, which the matching service
 * applies only when asked to, on one partition per task queue.
 */
export function taskServerFlags(namespace: string, extraNamespaces: string[] = []): string[] {
  const flags: string[] = [];
  for (const name of new Set([namespace, ...extraNamespaces])) {
    if (name !== 'default') flags.push('--namespace', name);
  }
  for (const flag of searchAttributeFlags()) flags.push('--search-attribute', flag);
  const settings = [
    'matching.useNewMatcher=true',
    'matching.enableFairness=true',
    // Priority holds within one task-queue partition, and a queue has four by default: a
    // low-priority task on a lightly loaded partition can go ahead of a high one elsewhere.
    // One machine needs no more than one, and with one the order is exact.
    'matching.numTaskqueueReadPartitions=1',
    'matching.numTaskqueueWritePartitions=1',
  ];
  for (const setting of settings) flags.push('--dynamic-config-value', setting);
  return flags;
}

async function waitUntilReady(
  address: string,
  namespace: string,
  child: ChildProcess,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`temporal exited with code ${child.exitCode}`);
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1_000 });
      try {
        await connection.workflowService.describeNamespace({ namespace });
        return;
      } finally {
        await connection.close();
      }
    } catch (error) {
      lastError = error;
      await sleep(200);
    }
  }
  throw new Error(`temporal dev server not ready after ${timeoutMs} ms: ${String(lastError)}`);
}

async function stopChild(child: ChildProcess, exited: Promise<unknown>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const done = await Promise.race([exited.then(() => true), sleep(10_000).then(() => false)]);
  if (!done) {
    child.kill('SIGKILL');
    await exited;
  }
}

/** The fallback: the SDK downloads a dev server itself (needs the internet). */
async function startWithSdkDownload(
  options: DevServerOptions & { ip: string; port: number; uiPort?: number; namespace: string },
): Promise<DevServer> {
  const { TestWorkflowEnvironment } = await import('@temporalio/testing');
  const env = await TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'cached-download' },
      ip: options.ip,
      port: options.port,
      ui: options.uiPort !== undefined,
      uiPort: options.uiPort,
      dbFilename: options.dbFile,
      namespace: options.namespace,
      // The SDK names `namespace` to the server itself; the flags add the rest.
      extraArgs: taskServerFlags(
        'default',
        (options.extraNamespaces ?? []).filter((name) => name !== options.namespace),
      ),
    },
  });
  return {
    address: `${options.ip}:${options.port}`,
    namespace: options.namespace,
    uiUrl: options.uiPort ? `http://${options.ip}:${options.uiPort}` : undefined,
    stop: () => env.teardown(),
  };
}
