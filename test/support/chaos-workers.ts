/**
 * Worker processes for the chaos suite: `ackflow worker` on a prebuilt workflow bundle, so a
 * replacement starts in seconds, each one killed by its pid. The pool notes every exit it
 * did not cause, since a worker that dies on its own is a crash the suite must report.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../bin/ackflow.js', import.meta.url));

export interface ChaosWorker {
  pid: number;
  ready: Promise<void>;
  isReady(): boolean;
  /** Resolves with the exit once the process is gone. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

interface Tracked extends ChaosWorker {
  child: ChildProcess;
  killedByUs: boolean;
  output: string;
}

export interface WorkerPool {
  start(): ChaosWorker;
  /** SIGKILLs (or `signal`s) the oldest ready worker; false when none is ready. */
  killOldest(signal?: NodeJS.Signals): Promise<boolean>;
  kills(): number;
  started(): number;
  /** Workers that exited without being told to, with the end of their output. */
  crashes(): string[];
  /** Stops every worker still running; safe to call twice. */
  stopAll(): Promise<void>;
}

export function createWorkerPool(env: Record<string, string>, bundlePath: string): WorkerPool {
  const all: Tracked[] = [];
  let kills = 0;
  const alive = (worker: Tracked) =>
    worker.child.exitCode === null && worker.child.signalCode === null;

  const start = () => {
    const child = spawn(process.execPath, [BIN, 'worker', '--bundle', bundlePath], {
      // Readiness is read from the info line "worker running".
      env: { ...process.env, ...env, LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let ready = false;
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.once('exit', (code, signal) => resolve({ code, signal })),
    );
    const tracked = { child, killedByUs: false, output: '' } as Tracked;
    const readiness = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('worker not ready after 60 s')), 60_000);
      const onData = (data: Buffer) => {
        // The SDK's own retry warnings can be many; only the end is kept for a report.
        tracked.output = (tracked.output + data.toString()).slice(-8_000);
        if (!ready && tracked.output.includes('"worker running"')) {
          ready = true;
          clearTimeout(timer);
          resolve();
        }
      };
      child.stdout?.on('data', onData);
      child.stderr?.on('data', onData);
      void exited.then(() => {
        clearTimeout(timer);
        reject(new Error(`worker exited before it was ready`));
      });
    });
    readiness.catch(() => undefined);
    Object.assign(tracked, {
      pid: child.pid!,
      ready: readiness,
      isReady: () => ready && alive(tracked),
      exited,
    });
    all.push(tracked);
    return tracked;
  };

  const stop = async (worker: Tracked, signal: NodeJS.Signals) => {
    worker.killedByUs = true;
    if (alive(worker)) worker.child.kill(signal);
    await worker.exited;
  };

  return {
    start,
    async killOldest(signal = 'SIGKILL') {
      const victim = all.find((worker) => !worker.killedByUs && worker.isReady());
      if (!victim) return false;
      kills += 1;
      await stop(victim, signal);
      return true;
    },
    kills: () => kills,
    started: () => all.length,
    crashes: () =>
      all
        .filter((worker) => !worker.killedByUs && !alive(worker))
        .map((worker) => {
          const how = worker.child.exitCode ?? worker.child.signalCode;
          return `worker ${worker.pid} exited (${how}): ${worker.output}`;
        }),
    async stopAll() {
      const running = all.filter((worker) => !worker.killedByUs);
      // SIGTERM first, so a worker hands its chunks back; SIGKILL if it takes too long.
      await Promise.all(
        running.map(async (worker) => {
          const timer = setTimeout(() => void stop(worker, 'SIGKILL'), 12_000);
          await stop(worker, 'SIGTERM');
          clearTimeout(timer);
        }),
      );
    },
  };
}
