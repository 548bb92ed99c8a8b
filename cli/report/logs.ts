/**
 * Reads the JSON lines ackflow's processes log (pino) and keeps the three kinds a report is
 * made of: the gateway's `delivery` lines and the worker's `task started` / `task finished`.
 * Everything else is skipped and counted, so a report says how much of its input it used.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';

/** One answer to `POST /v1/tasks`, as `observeIngress` logs it. Times are epoch ms. */
export interface DeliveryLine {
  time: number;
  outcome: string;
  status?: number;
  ackMs?: number;
  mode?: string;
  retryCount?: number;
  errorCode?: string;
  taskId?: string;
  taskType?: string;
  modelId?: string;
  tier?: string;
  taskQueue?: string;
}

/** A `task started` or `task finished` line of the task workflow. Times are epoch ms. */
export interface TaskLine {
  time: number;
  taskId: string;
  taskType?: string;
  modelId?: string;
  tier?: string;
  taskQueue?: string;
  enqueuedAt?: number;
  receivedAt?: number;
  retryCount?: number;
  /** Finished lines only: completed, failed or cancelled. */
  state?: string;
  errorCode?: string;
  /**
   * Finished lines only: the workflow's start (`startedAt`), before any queue wait. Stands
   * in for the worker's start when the `task started` line was not collected.
   */
  workflowStartedAt?: number;
}

export interface SkippedLines {
  notJson: number;
  otherMessage: number;
  /** A relevant message whose `time` (or `taskId`, for task lines) cannot be read. */
  unusable: number;
}

export interface LogRecords {
  lines: number;
  deliveries: DeliveryLine[];
  started: TaskLine[];
  finished: TaskLine[];
  skipped: SkippedLines;
}

export function emptyRecords(): LogRecords {
  return {
    lines: 0,
    deliveries: [],
    started: [],
    finished: [],
    skipped: { notJson: 0, otherMessage: 0, unusable: 0 },
  };
}

const text = (value: unknown) => (typeof value === 'string' && value ? value : undefined);
const count = (value: unknown) => (typeof value === 'number' ? value : undefined);

/** pino writes epoch milliseconds by default and ISO strings with `isoTime`; both occur. */
export function epochMs(value: unknown): number | undefined {
  const ms =
    typeof value === 'number' ? value : typeof value === 'string' ? Date.parse(value) : NaN;
  return Number.isFinite(ms) ? ms : undefined;
}

function taskFields(line: Record<string, unknown>) {
  return {
    taskType: text(line.taskType),
    modelId: text(line.modelId),
    tier: text(line.tier),
    taskQueue: text(line.taskQueue),
  };
}

/** Adds one raw line to `records`. Blank lines are neither used nor counted. */
export function addLine(records: LogRecords, raw: string): void {
  if (raw.trim() === '') return;
  records.lines += 1;
  let line: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(raw);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw parsed;
    line = parsed as Record<string, unknown>;
  } catch {
    records.skipped.notJson += 1;
    return;
  }

  const msg = line.msg;
  if (msg !== 'delivery' && msg !== 'task started' && msg !== 'task finished') {
    records.skipped.otherMessage += 1;
    return;
  }
  const time = epochMs(line.time);
  const taskId = text(line.taskId);
  if (time === undefined || (msg !== 'delivery' && !taskId)) {
    records.skipped.unusable += 1;
    return;
  }

  if (msg === 'delivery') {
    records.deliveries.push({
      time,
      outcome: text(line.outcome) ?? 'error',
      status: count(line.status),
      ackMs: count(line.ackMs),
      mode: text(line.mode),
      retryCount: count(line.retryCount),
      errorCode: text(line.errorCode),
      taskId,
      ...taskFields(line),
    });
    return;
  }
  const task: TaskLine = {
    time,
    taskId: taskId as string,
    ...taskFields(line),
    enqueuedAt: epochMs(line.enqueuedAt),
    receivedAt: epochMs(line.receivedAt),
    retryCount: count(line.retryCount),
    state: text(line.state),
    errorCode: text(line.errorCode),
    workflowStartedAt: msg === 'task finished' ? epochMs(line.startedAt) : undefined,
  };
  (msg === 'task started' ? records.started : records.finished).push(task);
}

/** Reads lines one at a time, so a large log costs only what it keeps. */
export async function readLogs(input: Readable): Promise<LogRecords> {
  const records = emptyRecords();
  for await (const raw of createInterface({ input, crlfDelay: Infinity })) addLine(records, raw);
  return records;
}

/** `-` is standard input; anything else a file. */
export function readLogSource(source: string, stdin: Readable = process.stdin) {
  return readLogs(source === '-' ? stdin : createReadStream(source, 'utf8'));
}
