/**
 * The counts of chaos runs as a Markdown table, printed after each run; with
 * ACKFLOW_CHAOS_REPORT set, also appended to that file as JSON lines, for the docs.
 */
import { appendFile } from 'node:fs/promises';
import type { ChaosCounts } from './chaos-verdict.ts';

const COLUMNS: Array<[keyof ChaosCounts, string]> = [
  ['scenario', 'scenario'],
  ['profile', 'profile'],
  ['tasks', 'tasks'],
  ['runs', 'runs'],
  ['kills', 'kills'],
  ['llmFaults', 'LLM faults'],
  ['deliveries', 'deliveries'],
  ['attempts', 'attempts'],
  ['noAnswer', 'no answer'],
  ['unavailable503', '503'],
  ['duplicateAnswers', 'duplicate answers'],
  ['startAnswerLost', 'start, answer lost'],
  ['completed', 'completed'],
  ['failedAsExpected', 'failed (documented)'],
  ['fallbacks', 'fallbacks'],
  ['tokensRepeated', 'tokens repeated'],
  ['outputsDiffering', 'outputs differing'],
  ['tasksLost', 'tasks lost'],
  ['duplicatesRun', 'duplicates run'],
];

export function countsTable(rows: readonly ChaosCounts[]): string {
  const line = (cells: readonly unknown[]) => `| ${cells.join(' | ')} |`;
  return [
    line(COLUMNS.map(([, title]) => title)),
    line(COLUMNS.map(() => '---')),
    ...rows.map((row) => line(COLUMNS.map(([key]) => row[key]))),
  ].join('\n');
}

export async function reportChaos(counts: ChaosCounts, env = process.env): Promise<void> {
  console.log(`chaos: ${counts.scenario}\n${countsTable([counts])}`);
  if (env.ACKFLOW_CHAOS_REPORT) {
    const line = { date: new Date().toISOString(), ...counts };
    await appendFile(env.ACKFLOW_CHAOS_REPORT, `${JSON.stringify(line)}\n`);
  }
}
