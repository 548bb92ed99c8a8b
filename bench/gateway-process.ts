/**
 * Runs `ackflow gateway` as a process of its own, as it is deployed, so a benchmark's load
 * generator does not share the gateway's event loop.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';

const BIN = fileURLToPath(new URL('../bin/ackflow.js', import.meta.url));

export interface GatewayProcess {
  url: string;
  pid: number;
  close(): Promise<void>;
}

export async function startGatewayProcess(
  env: Record<string, string>,
  port: number,
): Promise<GatewayProcess> {
  const child = spawn(process.execPath, [BIN, 'gateway', '--host', '127.0.0.1'], {
    env: { ...process.env, ...env, PORT: String(port) },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (data: Buffer) => (stderr = (stderr + data.toString()).slice(-4000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const close = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };

  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`gateway exited at start:\n${stderr}`);
    const healthy = await fetch(`${url}/healthz`).then(
      (response) => response.ok,
      () => false,
    );
    if (healthy) return { url, pid: child.pid!, close };
    await sleep(100);
  }
  await close();
  throw new Error(`gateway not healthy after 30 s:\n${stderr}`);
}
