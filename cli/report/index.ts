/**
 * `ackflow report`: the three curves, end states, delivery outcomes, upgrade signals and a
 * capacity estimate for a window, from the processes' JSON logs and, when asked, Temporal's
 * visibility store.
 */
import { writeFile } from 'node:fs/promises';
import { parseVariables } from '../../protocol/variables.ts';
import { openClient } from '../stack.ts';
import { emptyRecords, readLogSource } from './logs.ts';
import { renderMarkdown } from './markdown.ts';
import {
  parseReportOptions,
  REPORT_USAGE,
  type ReportFormat,
  type ReportOptions,
} from './options.ts';
import { buildReport, type Report } from './report.ts';
import { renderSvg } from './svg.ts';
import { listTaskExecutions, type VisibilityRecord } from './visibility.ts';
import { parseDuration, type ReportWindow, spanOf } from './window.ts';

/** The window when only visibility is read and no flag names one. */
const DEFAULT_VISIBILITY_SPAN = '1h';

const RENDERERS: Record<ReportFormat, (report: Report) => string> = {
  markdown: renderMarkdown,
  json: (report) => `${JSON.stringify(report, null, 2)}\n`,
  svg: renderSvg,
};

async function readVisibility(window: ReportWindow): Promise<VisibilityRecord[]> {
  const variables = parseVariables(process.env);
  const { client, connection } = await openClient(variables);
  try {
    return await listTaskExecutions(client, window);
  } finally {
    await connection.close();
  }
}

/** Flag mistakes are usage errors (exit 2); parseArgs throws TypeErrors with ERR_PARSE_ARGS_*. */
function isUsageError(error: unknown): error is Error {
  const code = (error as { code?: unknown }).code;
  return (
    error instanceof RangeError || (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS'))
  );
}

export async function report(argv: string[]): Promise<number> {
  const now = Date.now();
  let options: ReportOptions;
  try {
    options = parseReportOptions(argv, now);
  } catch (error) {
    if (!isUsageError(error)) throw error;
    process.stderr.write(`ackflow report: ${error.message}\n${REPORT_USAGE}\n`);
    return 2;
  }
  if (options.help || (options.logs === undefined && !options.visibility)) {
    process.stderr.write(`${REPORT_USAGE}\n`);
    return options.help ? 0 : 2;
  }

  const records = options.logs === undefined ? emptyRecords() : await readLogSource(options.logs);
  const span = spanOf(records);
  let window = options.window ?? span;
  let windowSource = options.window ? 'as given' : 'the span of the log lines';
  if (!window && options.visibility) {
    window = { from: now - parseDuration(DEFAULT_VISIBILITY_SPAN), to: now };
    windowSource = `the last ${DEFAULT_VISIBILITY_SPAN}`;
  }
  if (!window) {
    process.stderr.write(
      `ackflow report: no delivery or task lines among ${records.lines} lines of ` +
        `${options.logs}; give --since or --from to report on an empty window\n`,
    );
    return 1;
  }

  const visibility = options.visibility ? await readVisibility(window) : undefined;
  const built = buildReport({
    records,
    visibility,
    window,
    windowSource,
    workerSlots: options.workerSlots,
    arrivalRate: options.arrivalRate,
    taskSeconds: options.taskSeconds,
    qstashParallelism: options.qstashParallelism,
  });
  const text = RENDERERS[options.format](built);
  if (options.out) await writeFile(options.out, text);
  else process.stdout.write(text);
  return 0;
}
