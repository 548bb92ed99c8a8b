/** The report as Markdown: tables a person reads, or pastes into an incident note. */
import type { Capacity, Concurrency } from './capacity.ts';
import { decimal, duration, NONE, percent } from './format.ts';
import type { Report } from './report.ts';
import type { Signal } from './signals.ts';
import { type Curve, CURVES, type GroupStats, OUTCOMES } from './stats.ts';

function table(header: string[], rows: string[][]): string[] {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line), ''];
}

const curveCells = (curve: Curve) => [
  String(curve.count),
  duration(curve.p50),
  duration(curve.p90),
  duration(curve.p99),
];

function curveTable(title: string, groups: GroupStats[]): string[] {
  if (groups.length === 0) return [];
  const rows = groups.flatMap((group) =>
    CURVES.map(([field, label]) => [group.key, label, ...curveCells(group[field])]),
  );
  return [
    `### ${title}`,
    '',
    ...table([title.replace(/^by /i, ''), 'curve', 'n', 'P50', 'P90', 'P99'], rows),
  ];
}

function endsRow(scope: string, group: GroupStats): string[] {
  const { tasks, deliveries } = group;
  return [
    scope,
    String(tasks.ended),
    String(tasks.completed),
    String(tasks.failed),
    String(tasks.cancelled),
    String(tasks.timedOut),
    percent(tasks.errorRate),
    percent(tasks.timeoutRate),
    String(deliveries.total),
    `${deliveries.byOutcome.duplicate ?? 0} (${percent(deliveries.duplicateShare)})`,
  ];
}

function signalLines(signals: Signal[]): string[] {
  const fired = signals.filter((signal) => signal.status === 'signal');
  const unsure = signals.some((signal) => signal.status === 'not enough data');
  const lines = fired.length
    ? []
    : [
        `**No signal**: nothing in this window asks for an upgrade` +
          `${unsure ? ', though some checks lacked data' : ''}.`,
        '',
      ];
  for (const signal of signals) {
    const scope = signal.scope === 'all' ? '' : ` (${signal.scope})`;
    const status = signal.status === 'signal' ? '**signal**' : signal.status;
    lines.push(`- ${status}: ${signal.check}${scope}: ${signal.finding}. ${signal.evidence}.`);
    if (signal.action) lines.push(`  Do: ${signal.action}.`);
  }
  return [...lines, ''];
}

const concurrencyRow = (what: string, formula: string, value: Concurrency | null) => [
  what,
  formula,
  value ? decimal(value.average) : NONE,
  value ? String(value.slots) : NONE,
];

function capacityLines(capacity: Capacity): string[] {
  const headroom = `slots (×${capacity.headroom})`;
  const lines = [
    ...table(
      ['input', 'value', 'from'],
      [
        ['arrival rate λ', `${decimal(capacity.arrivalRate)} tasks/s`, capacity.arrivalSource],
        ['mean task time W', `${decimal(capacity.taskSeconds)} s`, capacity.taskSource],
        [
          'mean ACK time',
          duration(capacity.ackSeconds === null ? null : capacity.ackSeconds * 1000),
          'observed accepted deliveries',
        ],
      ],
    ),
    ...table(
      ['needed', 'formula', 'average', headroom],
      [
        concurrencyRow('worker slots (tasks at once)', 'L = λ·W', capacity.workers),
        concurrencyRow('QStash parallelism with ackflow', 'λ × ACK', capacity.qstashWithAckflow),
        concurrencyRow(
          'QStash parallelism if the slot is held for the task',
          'λ·W',
          capacity.qstashHoldingSlot,
        ),
      ],
    ),
    'Answering at once, QStash needs only the ACK-time parallelism; answering after the ' +
      'work would need a slot per running task.',
  ];
  if (capacity.maxRate && capacity.qstashParallelism !== undefined) {
    lines.push(
      '',
      `A QStash parallelism of ${capacity.qstashParallelism} allows ` +
        `${decimal(capacity.maxRate.withAckflow)} tasks/s with ackflow, and ` +
        `${decimal(capacity.maxRate.holdingSlot)} tasks/s if each delivery held its slot ` +
        'for the whole task.',
    );
  }
  return [...lines, ''];
}

export function renderMarkdown(report: Report): string {
  const { window, input, overall } = report;
  const skipped = input.skipped;
  const skippedTotal = skipped.notJson + skipped.otherMessage + skipped.unusable;
  const scoped = [
    ...report.byQueue.map((group) => ['queue', group] as const),
    ...report.byTaskType.map((group) => ['type', group] as const),
    ...report.byModel.map((group) => ['model', group] as const),
  ];
  const lines = [
    '# ackflow report',
    '',
    `Window: ${window.from} → ${window.to} (${decimal(window.seconds)} s, ${window.source}).`,
    `Input: ${input.logLines} log lines: ${input.deliveries} deliveries, ` +
      `${input.taskStarted} task started, ${input.taskFinished} task finished; ` +
      `${skippedTotal} skipped (${skipped.notJson} not JSON, ${skipped.otherMessage} other ` +
      `messages, ${skipped.unusable} without a time or task id). ` +
      `Visibility: ${input.visibility === null ? 'not read' : `${input.visibility} executions`}.`,
    '',
    '## The three curves',
    '',
    'Queue wait runs from `enqueuedAt` (else `receivedAt`) to the worker starting the task; ' +
      'ACK time is how long an accepted delivery held its QStash slot; execution time runs ' +
      'from start to finish.',
    '',
    ...table(
      ['scope', 'curve', 'n', 'P50', 'P90', 'P99'],
      [...CURVES.map(([field, label]) => ['all', label, ...curveCells(overall[field])])],
    ),
    ...curveTable('By queue', report.byQueue),
    ...curveTable('By task type', report.byTaskType),
    ...curveTable('By model', report.byModel),
    '## Tasks and deliveries',
    '',
    ...table(
      [
        'scope',
        'ended',
        'completed',
        'failed',
        'cancelled',
        'timed out',
        'error rate',
        'timeout rate',
        'deliveries',
        'duplicates',
      ],
      [
        endsRow('all', overall),
        ...scoped.map(([kind, group]) => endsRow(`${kind} ${group.key}`, group)),
      ],
    ),
    '### Deliveries by outcome',
    '',
    ...table(
      ['outcome', 'count', 'share'],
      OUTCOMES.map((outcome) => {
        const count = overall.deliveries.byOutcome[outcome] ?? 0;
        const total = overall.deliveries.total;
        return [outcome, String(count), percent(total ? count / total : null)];
      }),
    ),
    '## Upgrade signals',
    '',
    ...signalLines(report.signals),
    "## Capacity (Little's law)",
    '',
    ...capacityLines(report.capacity),
  ];
  if (report.notes.length) lines.push('## Notes', '', ...report.notes.map((n) => `- ${n}`), '');
  return lines.join('\n');
}
