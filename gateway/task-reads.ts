/** Reads a task through the backend, mapping "down" and "missing" to their answers. */
import { ERROR_CODES } from '../protocol/error-codes.ts';
import { Problem, unavailable } from './problems.ts';
import { type TaskBackend, type TaskView, TemporalUnavailable } from './temporal-tasks.ts';

/** Runs a backend call, turning "Temporal is down" into the documented 503. */
export async function orUnavailable<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (!(error instanceof TemporalUnavailable)) throw error;
    throw unavailable(error.message);
  }
}

export async function readOrNotFound(backend: TaskBackend, taskId: string): Promise<TaskView> {
  const view = await orUnavailable(() => backend.read(taskId));
  if (!view) throw new Problem(404, ERROR_CODES.notFound, `no task ${taskId}`);
  return view;
}
