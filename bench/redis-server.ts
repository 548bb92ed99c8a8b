/**
 * A Redis server of the benchmark's own, for the internal-queue peer: Debian's redis-server
 * on a free loopback port and a temporary folder, stopped again by its pid. It logs every
 * write to an append-only file fsynced once a second, the setting a team would use for a
 * queue it cannot lose (a crash still loses up to a second of accepted jobs).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from '../cli/temporal-server.ts';

export interface RedisServer {
  host: string;
  port: number;
  pid: number;
  version: string;
  stop(): Promise<void>;
}

/** The redis-server binary, or undefined when it is not installed. */
export async function redisServerVersion(binary = 'redis-server'): Promise<string | undefined> {
  const child = spawn(binary, ['--version'], { stdio: ['ignore', 'pipe', 'ignore'] });
  let text = '';
  child.stdout.on('data', (data: Buffer) => (text += data.toString()));
  const code = await new Promise<number | null>((resolve) => {
    child.once('error', () => resolve(null));
    child.once('exit', resolve);
  });
  return code === 0 ? text.trim() : undefined;
}

export async function startRedisServer(binary = 'redis-server'): Promise<RedisServer> {
  const version = await redisServerVersion(binary);
  if (!version)
    throw new Error(`${binary} is not installed (Debian: apt-get install redis-server)`);
  const dir = await mkdtemp(join(tmpdir(), 'ackflow-redis-'));
  const host = '127.0.0.1';
  const port = await freePort(host);
  const args = ['--bind', host, '--port', String(port), '--dir', dir, '--save', ''];
  args.push('--appendonly', 'yes', '--appendfsync', 'everysec', '--protected-mode', 'no');
  const child: ChildProcess = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  const keep = (data: Buffer) => (log = (log + data.toString()).slice(-4000));
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
    await rm(dir, { recursive: true, force: true });
  };

  const deadline = Date.now() + 10_000;
  while (!log.includes('Ready to accept connections')) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`redis-server did not start:\n${log}`);
    }
    await sleep(50);
  }
  return { host, port, pid: child.pid!, version: version.split(' ').slice(0, 3).join(' '), stop };
}
