/**
 * Runs `ackflow dev` as a real child process, in a process group of its own as a shell
 * would, so a test can press Ctrl-C the way a terminal does (SIGINT to the whole foreground
 * group) and then look for anything it left running.
 */
import { execFile, spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { freePort } from '../../cli/temporal-server.ts';

const BIN = fileURLToPath(new URL('../../bin/ackflow.js', import.meta.url));
const run = promisify(execFile);

export interface DevUrls {
  gateway: string;
  ui: string;
  grpc: string;
}

export interface DevProcess {
  pid: number;
  output(): string;
  /** Resolves with the printed URLs once dev says it is running. */
  ready: Promise<DevUrls>;
  /** Resolves with the exit code, or the signal that ended it. */
  exited: Promise<number | NodeJS.Signals | null>;
  /** Whether dev itself is still running (from its exit, not its pid, which may be reused). */
  running(): boolean;
  /** Ctrl-C in a terminal: SIGINT to every process of the group. */
  interrupt(): void;
  /** The processes started under dev (children, theirs, …), found now by parent pid. */
  descendants(): Promise<number[]>;
}

export function startDevProcess(
  args: string[],
  env: NodeJS.ProcessEnv,
  readyTimeoutMs = 120_000,
): DevProcess {
  const child = spawn(process.execPath, [BIN, 'dev', ...args], {
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<number | NodeJS.Signals | null>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? signal)),
  );
  const ready = new Promise<DevUrls>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`dev not ready after ${readyTimeoutMs} ms:\n${output}`)),
      readyTimeoutMs,
    );
    const onData = (data: Buffer) => {
      output += data.toString();
      if (!output.includes('Press Ctrl-C to stop.')) return;
      clearTimeout(timer);
      resolve(printedUrls(output));
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`dev exited (${code}) before it was ready:\n${output}`));
    });
  });
  ready.catch(() => undefined);
  const pid = child.pid!;
  return {
    pid,
    output: () => output,
    ready,
    exited,
    running: () => child.exitCode === null && child.signalCode === null,
    interrupt: () => process.kill(-pid, 'SIGINT'),
    descendants: () => descendantsOf(pid),
  };
}

function printedUrls(output: string): DevUrls {
  const find = (pattern: RegExp) => {
    const match = output.match(pattern);
    if (!match?.[1]) throw new Error(`dev did not print ${pattern}:\n${output}`);
    return match[1];
  };
  return {
    gateway: find(/^ {2}gateway +(http:\S+)/m),
    ui: find(/^ {2}Temporal UI +(http:\S+)/m),
    grpc: find(/^ {2}Temporal gRPC +(\S+)/m),
  };
}

/** Every process below `root` in the process tree, from `ps` (Linux and macOS alike). */
export async function descendantsOf(root: number): Promise<number[]> {
  const { stdout } = await run('ps', ['-A', '-o', 'pid=,ppid=']);
  const children = new Map<number, number[]>();
  for (const line of stdout.trim().split('\n')) {
    const [pid, ppid] = line.trim().split(/\s+/).map(Number);
    if (pid === undefined || ppid === undefined) continue;
    children.set(ppid, [...(children.get(ppid) ?? []), pid]);
  }
  const found: number[] = [];
  const queue = [...(children.get(root) ?? [])];
  while (queue.length > 0) {
    const pid = queue.shift()!;
    found.push(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return found;
}

/** Whether a process with this pid exists; signal 0 only checks. */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Polls until `check` holds, or throws after the timeout. */
export async function waitUntil(check: () => Promise<boolean> | boolean, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`not true after ${timeoutMs} ms`);
    await sleep(100);
  }
}

/** Free ports, none twice. */
export async function distinctFreePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await freePort());
  return [...ports];
}
