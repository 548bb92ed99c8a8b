/**
 * The report as data: what every format renders. Plain JSON values throughout (null where
 * nothing was measured), so `--format json` is this object and reads back the same.
 */
import { type Capacity, capacity } from './capacity.ts';
import type { LogRecords, SkippedLines } from './logs.ts';
import { type Signal, upgradeSignals, type WorkerSlots } from './signals.ts';
import { type GroupStats, groupStats, groupsBy } from './stats.ts';
import { joinTasks } from './tasks.ts';
import type { VisibilityRecord } from './visibility.ts';
import { type ReportWindow, within } from './window.ts';

export interface Report {
  window: { from: string; to: string; seconds: number; source: string };
  input: {
    logLines: number;
    deliveries: number;
    taskStarted: number;
    taskFinished: number;
    skipped: SkippedLines;
    /** Executions read from Temporal; null when visibility was not asked for. */
    visibility: number | null;
  };
  overall: GroupStats;
  byQueue: GroupStats[];
  byTaskType: GroupStats[];
  byModel: GroupStats[];
  signals: Signal[];
  capacity: Capacity;
  /** Caveats about this input, in plain sentences. */
  notes: string[];
}

export interface ReportInput {
  records: LogRecords;
  visibility?: VisibilityRecord[];
  window: ReportWindow;
  windowSource: string;
  workerSlots?: WorkerSlots;
  arrivalRate?: number;
  taskSeconds?: number;
  qstashParallelism?: number;
}

const toSeconds = (ms: number | null) => (ms === null ? null : ms / 1000);

export function buildReport(input: ReportInput): Report {
  const { records, visibility, window } = input;
  const tasks = joinTasks(records, visibility);
  const deliveries = records.deliveries;
  const overall = groupStats('all', tasks, deliveries, window);
  const seconds = (window.to - window.from) / 1000;

  // λ: new tasks per second, from the gateway's answers when its lines were collected.
  const arrivals = deliveries.length
    ? { count: overall.deliveries.byOutcome.accepted ?? 0, source: 'observed accepted deliveries' }
    : {
        count: tasks.filter((task) => within(window, task.arrivedAt ?? task.startedAt)).length,
        source: 'observed task starts',
      };
  const observedRate = seconds > 0 ? arrivals.count / seconds : null;

  return {
    window: {
      from: new Date(window.from).toISOString(),
      to: new Date(window.to).toISOString(),
      seconds,
      source: input.windowSource,
    },
    input: {
      logLines: records.lines,
      deliveries: deliveries.length,
      taskStarted: records.started.length,
      taskFinished: records.finished.length,
      skipped: records.skipped,
      visibility: visibility ? visibility.length : null,
    },
    overall,
    byQueue: groupsBy('taskQueue', tasks, deliveries, window),
    byTaskType: groupsBy('taskType', tasks, deliveries, window),
    byModel: groupsBy('modelId', tasks, deliveries, window),
    signals: upgradeSignals(tasks, deliveries, window, input.workerSlots ?? {}),
    capacity: capacity({
      arrivalRate: input.arrivalRate ?? observedRate,
      arrivalSource: input.arrivalRate === undefined ? arrivals.source : '--arrival-rate',
      taskSeconds: input.taskSeconds ?? toSeconds(overall.execution.mean),
      taskSource:
        input.taskSeconds === undefined ? 'observed mean execution time' : '--task-seconds',
      ackSeconds: toSeconds(overall.ack.mean),
      qstashParallelism: input.qstashParallelism,
    }),
    notes: notesOn(tasks, input, overall),
  };
}

function notesOn(tasks: ReturnType<typeof joinTasks>, input: ReportInput, overall: GroupStats) {
  const notes: string[] = [];
  const { window } = input;
  const open = tasks.filter(
    (task) => within(window, task.startedAt) && task.endedAt === undefined && !task.running,
  ).length;
  if (open > 0) {
    notes.push(
      `${open} task(s) started in the window have no end in the logs: still running, or ` +
        'their end was not logged.' +
        (input.visibility ? '' : ' --visibility reads it from Temporal.'),
    );
  }
  const endAfter = tasks.filter(
    (task) => within(window, task.startedAt) && (task.endedAt ?? -Infinity) > window.to,
  ).length;
  if (endAfter > 0) {
    notes.push(
      `${endAfter} task(s) started in the window and ended after it: their execution time ` +
        'and end state belong to a later window.',
    );
  }
  const unseenStarts = tasks.filter(
    (task) => !task.startSeenByWorker && task.executionMs !== undefined,
  ).length;
  if (unseenStarts > 0) {
    notes.push(
      `${unseenStarts} execution time(s) run from the workflow's start and include the ` +
        'queue wait, since no `task started` line says when a worker picked the task up.',
    );
  }
  if (overall.deliveries.inlineAccepted > 0) {
    notes.push(
      `${overall.deliveries.inlineAccepted} accepted delivery(ies) ran inline and are left ` +
        'out of ACK time: they held the QStash slot for the whole task.',
    );
  }
  return notes;
}
