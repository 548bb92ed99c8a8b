/** How many tasks ran at once: the load the workers carried, estimated from the logs. */
import type { TaskRecord } from './tasks.ts';
import type { ReportWindow } from './window.ts';

/**
 * The most tasks running at once within `window`, from their start and end; a task still
 * running (by visibility) runs to the window's end. Tasks with no known end are left out
 * and counted, since guessing would make idle workers look busy.
 */
export function peakConcurrency(tasks: TaskRecord[], window: ReportWindow) {
  const events: [number, number][] = [];
  let unknownEnd = 0;
  for (const task of tasks) {
    if (task.startedAt === undefined || task.startedAt > window.to) continue;
    const end = task.endedAt ?? (task.running ? window.to : undefined);
    if (end === undefined) {
      unknownEnd += 1;
      continue;
    }
    if (end < window.from) continue;
    events.push([Math.max(task.startedAt, window.from), 1], [end, -1]);
  }
  // At the same instant an end frees its slot before a start takes one.
  events.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let running = 0;
  let peak = 0;
  for (const [, step] of events) {
    running += step;
    peak = Math.max(peak, running);
  }
  return { peak, unknownEnd };
}
