/** `ackflow report`'s flags, checked once with messages that say what was expected. */
import { parseArgs } from 'node:util';
import type { WorkerSlots } from './signals.ts';
import { type ReportWindow, windowFromFlags } from './window.ts';

export const REPORT_USAGE = `usage: ackflow report [--logs FILE|-] [--visibility]
  [--since 1h | --from ISO [--to ISO]] [--format markdown|json|svg] [--out FILE]
  [--worker-slots N | QUEUE=N,…] [--arrival-rate N] [--task-seconds T]
  [--qstash-parallelism N]`;

export const FORMATS = ['markdown', 'json', 'svg'] as const;
export type ReportFormat = (typeof FORMATS)[number];

export interface ReportOptions {
  /** A log file, or `-` for standard input. */
  logs?: string;
  visibility: boolean;
  window?: ReportWindow;
  format: ReportFormat;
  out?: string;
  workerSlots: WorkerSlots;
  arrivalRate?: number;
  taskSeconds?: number;
  qstashParallelism?: number;
  help: boolean;
}

function positive(flag: string, text: string | undefined, integer = false): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!(value > 0) || !Number.isFinite(value) || (integer && !Number.isInteger(value))) {
    const kind = integer ? 'a whole number above 0' : 'a number above 0';
    throw new RangeError(`--${flag} takes ${kind}; got "${text}"`);
  }
  return value;
}

/** `8` for every queue, or `ackflow-light=8,ackflow-heavy=2` queue by queue. */
export function parseWorkerSlots(text: string | undefined): WorkerSlots {
  if (text === undefined) return {};
  if (!text.includes('=')) return { '*': positive('worker-slots', text, true) as number };
  const slots: WorkerSlots = {};
  for (const pair of text.split(',')) {
    const [queue, count] = pair.split('=').map((part) => part.trim());
    if (!queue) throw new RangeError(`--worker-slots wants QUEUE=N pairs; got "${pair}"`);
    slots[queue] = positive('worker-slots', count, true) as number;
  }
  return slots;
}

export function parseReportOptions(argv: string[], now: number): ReportOptions {
  const text = { type: 'string' } as const;
  const { values } = parseArgs({
    args: argv,
    options: {
      logs: text,
      visibility: { type: 'boolean', default: false },
      since: text,
      from: text,
      to: text,
      format: { type: 'string', default: 'markdown' },
      out: text,
      'worker-slots': text,
      'arrival-rate': text,
      'task-seconds': text,
      'qstash-parallelism': text,
      help: { type: 'boolean', default: false },
    },
  });
  const format = values.format as ReportFormat;
  if (!FORMATS.includes(format)) {
    throw new RangeError(`--format is ${FORMATS.join(', ')}; got "${values.format}"`);
  }
  return {
    logs: values.logs,
    visibility: values.visibility,
    window: windowFromFlags(values, now),
    format,
    out: values.out,
    workerSlots: parseWorkerSlots(values['worker-slots']),
    arrivalRate: positive('arrival-rate', values['arrival-rate']),
    taskSeconds: positive('task-seconds', values['task-seconds']),
    qstashParallelism: positive('qstash-parallelism', values['qstash-parallelism'], true),
    help: values.help,
  };
}
