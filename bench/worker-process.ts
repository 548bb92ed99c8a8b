/**
 * Runs `ackflow worker` as a real child process, so a benchmark can read its memory and CPU
 * and a test can kill it with SIGKILL by its pid, as a crash would, and start another.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../bin/ackflow.js', import.meta.url));

export interface WorkerProcess {
  pid: number;
  output(): string;
  /** Resolves once the worker says it is polling its queues. */
  ready: Promise<void>;
  kill(signal: NodeJS.Signals): Promise<void>;
}

export function startWorkerProcess(env: Record<string, string>, args: string[] = []) {
  const child: ChildProcess = spawn(process.execPath, [BIN, 'worker', ...args], {
    env: { ...process.env, LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const ready = new Promise<void>((resolve, reject) => {
    const onData = (data: Buffer) => {
      // Only the start matters for readiness; a long run's lines are not all kept.
      output = (output + data.toString()).slice(-200_000);
      if (output.includes('"worker running"')) resolve();
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    void exited.then(() => reject(new Error(`worker exited early:\n${output}`)));
  });
  ready.catch(() => undefined);
  const worker: WorkerProcess = {
    pid: child.pid!,
    output: () => output,
    ready,
    async kill(signal) {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
  return worker;
}
