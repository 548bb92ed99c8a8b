/**
 * `GET /v1/tasks/:taskId/events`: a server-sent event stream of a task's progress and
 * output, ending with its final state.
 *
 * Every event's id is the output cursor `step.offset` (characters of that step sent so far),
 * so a client reconnecting with `Last-Event-ID` continues exactly where it stopped: no gap,
 * no repeat. `progress` events repeat state, which is harmless to see twice.
 */
import type { Context } from 'hono';
import { streamSSE } from 'hono/streaming';
import { TERMINAL_STATES } from '../protocol/task-state.ts';
import type { OutputCursor } from '../protocol/task-steps.ts';
import { readOrNotFound } from './task-reads.ts';
import type { TaskBackend } from './temporal-tasks.ts';

export const EVENT_POLL_MS = 300;
export const KEEP_ALIVE_MS = 15_000;

export function formatCursor(cursor: OutputCursor): string {
  return `${cursor.stepIndex}.${cursor.offset}`;
}

export function parseCursor(value: string | undefined): OutputCursor {
  const match = value?.match(/^(\d+)\.(\d+)$/);
  if (!match) return { stepIndex: 0, offset: 0 };
  return { stepIndex: Number(match[1]), offset: Number(match[2]) };
}

export async function streamTaskEvents(
  c: Context,
  backend: TaskBackend,
  taskId: string,
  lastEventId: string | undefined,
  keepAliveMs = KEEP_ALIVE_MS,
) {
  // Check the task exists before committing to a 200 stream.
  let view = await readOrNotFound(backend, taskId);
  let cursor = parseCursor(lastEventId ?? c.req.query('lastEventId'));

  return streamSSE(c, async (stream) => {
    let lastProgress = '';
    let lastWrite = Date.now();
    while (!stream.aborted) {
      const closed = TERMINAL_STATES.has(view.state);
      if (view.state !== 'queued') {
        // Read output after the state, so that once the task is closed, all of it is here.
        for (const piece of await backend.readOutput(taskId, cursor)) {
          cursor = { stepIndex: piece.stepIndex, offset: piece.offset + piece.text.length };
          await stream.writeSSE({
            event: 'output',
            id: formatCursor(cursor),
            data: JSON.stringify(piece),
          });
          lastWrite = Date.now();
        }
      }
      const progress = JSON.stringify({ state: view.state, ...view.progress });
      if (progress !== lastProgress) {
        lastProgress = progress;
        await stream.writeSSE({ event: 'progress', id: formatCursor(cursor), data: progress });
        lastWrite = Date.now();
      }
      if (closed) {
        const end = { state: view.state, usage: view.result?.usage, error: view.error };
        await stream.writeSSE({
          event: 'end',
          id: formatCursor(cursor),
          data: JSON.stringify(end),
        });
        return;
      }
      if (Date.now() - lastWrite >= keepAliveMs) {
        await stream.write(': keep-alive\n\n');
        lastWrite = Date.now();
      }
      await stream.sleep(EVENT_POLL_MS);
      const next = await backend.read(taskId).catch(() => view);
      if (next) view = next;
    }
  });
}
