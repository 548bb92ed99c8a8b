/**
 * Memory and CPU of one process, read from /proc while a benchmark runs: resident memory as
 * the kernel counts it (VmRSS) and CPU time (user + system) over the sampled window.
 */
import { readFile } from 'node:fs/promises';

/** Clock ticks per second for /proc/<pid>/stat times; 100 on every Linux we run on. */
const CLOCK_TICKS = 100;

export interface UsageSample {
  atMs: number;
  rssBytes: number;
  cpuSeconds: number;
}

export async function readUsage(pid: number): Promise<UsageSample> {
  const [status, stat] = await Promise.all([
    readFile(`/proc/${pid}/status`, 'utf8'),
    readFile(`/proc/${pid}/stat`, 'utf8'),
  ]);
  const rssKb = Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? Number.NaN);
  // The command name in field 2 may hold spaces; fields after its closing parenthesis don't.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return { atMs: Date.now(), rssBytes: rssKb * 1024, cpuSeconds: ticks / CLOCK_TICKS };
}

export interface UsageSummary {
  samples: number;
  peakRssBytes: number;
  meanRssBytes: number;
  /** CPU time over wall time in the window: 1.0 is one core kept busy. */
  cpuCores: number;
}

export function summarizeUsage(samples: UsageSample[]): UsageSummary {
  const first = samples[0];
  const last = samples.at(-1);
  if (!first || !last) return { samples: 0, peakRssBytes: 0, meanRssBytes: 0, cpuCores: 0 };
  const wallS = (last.atMs - first.atMs) / 1000;
  return {
    samples: samples.length,
    peakRssBytes: Math.max(...samples.map((s) => s.rssBytes)),
    meanRssBytes: samples.reduce((sum, s) => sum + s.rssBytes, 0) / samples.length,
    cpuCores: wallS > 0 ? (last.cpuSeconds - first.cpuSeconds) / wallS : 0,
  };
}
