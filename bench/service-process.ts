/**
 * Runs an `ackflow` service (the gateway, the mock LLM) as a process of its own, as it is
 * deployed, so a benchmark's load generator does not share its event loop; resolves once the
 * service answers its health URL.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';

const BIN = fileURLToPath(new URL('../bin/ackflow.js', import.meta.url));

export interface ServiceProcess {
  /** Where it listens, e.g. http://127.0.0.1:41234. */
  url: string;
  pid: number;
  /** What it has printed, stdout and stderr together: the last MiB of it. */
  output(): string;
  close(): Promise<void>;
}

const KEPT_OUTPUT = 2 ** 20;

export async function startServiceProcess(
  args: string[],
  env: Record<string, string>,
  port: number,
  healthPath: string,
): Promise<ServiceProcess> {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { ...process.env, ...env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (data: Buffer) => (output = (output + data.toString()).slice(-KEPT_OUTPUT));
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const close = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };

  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new Error(`${args[0]} exited at start:\n${output.slice(-4000)}`);
    }
    const healthy = await fetch(`${url}${healthPath}`).then(
      (response) => response.ok,
      () => false,
    );
    if (healthy) return { url, pid: child.pid!, output: () => output, close };
    await sleep(100);
  }
  await close();
  throw new Error(`${args[0]} not healthy after 30 s:\n${output.slice(-4000)}`);
}

export function startGatewayProcess(env: Record<string, string>, port: number) {
  return startServiceProcess(['gateway', '--host', '127.0.0.1'], env, port, '/healthz');
}

/** The mock LLM on its own CPU time, so hundreds of paced streams don't slow the client. */
export function startMockLlmProcess(port: number, env: Record<string, string> = {}) {
  const args = ['mock-llm', '--port', String(port)];
  return startServiceProcess(args, env, port, '/_mock/stats');
}
