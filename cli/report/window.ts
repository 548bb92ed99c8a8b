/**
 * The stretch of time a report covers: given with `--since` or `--from`/`--to`, else the
 * span of the log lines read. Each measurement belongs to the window in which it ends.
 */
import type { LogRecords } from './logs.ts';

/** Epoch milliseconds, `from` ≤ `to`. */
export interface ReportWindow {
  from: number;
  to: number;
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `90s`, `15m`, `1h`, `1.5d`: a duration in milliseconds. */
export function parseDuration(text: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/.exec(text.trim());
  if (!match) throw new RangeError(`a duration looks like 90s, 15m, 1h or 2d; got "${text}"`);
  return Number(match[1]) * (UNIT_MS[match[2] as string] as number);
}

function parseInstant(flag: string, text: string): number {
  const ms = Date.parse(text);
  if (!Number.isFinite(ms)) throw new RangeError(`--${flag} takes an ISO time; got "${text}"`);
  return ms;
}

export interface WindowFlags {
  since?: string;
  from?: string;
  to?: string;
}

/** The window the flags name, or undefined when they name none. */
export function windowFromFlags(flags: WindowFlags, now: number): ReportWindow | undefined {
  if (flags.since !== undefined && (flags.from !== undefined || flags.to !== undefined)) {
    throw new RangeError('give --since or --from/--to, not both');
  }
  if (flags.since !== undefined) return { from: now - parseDuration(flags.since), to: now };
  if (flags.from === undefined && flags.to === undefined) return undefined;
  if (flags.from === undefined) throw new RangeError('--to needs --from');
  const from = parseInstant('from', flags.from);
  const to = flags.to === undefined ? now : parseInstant('to', flags.to);
  if (to < from) throw new RangeError(`--to (${flags.to}) is before --from (${flags.from})`);
  return { from, to };
}

/** From the first relevant line to the last; undefined when there is none. */
export function spanOf(records: LogRecords): ReportWindow | undefined {
  let from = Infinity;
  let to = -Infinity;
  for (const { time } of [...records.deliveries, ...records.started, ...records.finished]) {
    from = Math.min(from, time);
    to = Math.max(to, time);
  }
  return Number.isFinite(from) ? { from, to } : undefined;
}

export const within = (window: ReportWindow, time: number | undefined): time is number =>
  time !== undefined && time >= window.from && time <= window.to;

/** The two halves the upgrade signals compare; the middle instant belongs to the second. */
export function halves(window: ReportWindow): [ReportWindow, ReportWindow] {
  const middle = window.from + (window.to - window.from) / 2;
  return [
    { from: window.from, to: middle },
    { from: middle, to: window.to },
  ];
}

/** 0 for the first half, 1 for the second, undefined outside the window. */
export function halfOf(window: ReportWindow, time: number | undefined): 0 | 1 | undefined {
  if (!within(window, time)) return undefined;
  return time < window.from + (window.to - window.from) / 2 ? 0 : 1;
}
