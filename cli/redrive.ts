/**
 * `ackflow redrive`: finds tasks that ended badly (failed, timed out, terminated, or
 * cancelled) by filter and time window, and starts each again under the same task id.
 *
 * The task-id policy: the gateway never starts a task id twice (a redelivery is a
 * duplicate), but a redrive asks for a new run of a task whose last run did not complete,
 * with Temporal's ALLOW_DUPLICATE_FAILED_ONLY: a completed task is never run again, and
 * `GET /v1/tasks/:taskId` then shows the new run.
 */
import { parseArgs } from 'node:util';
import { type Client, WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import type { Payload } from '@temporalio/common';
import { startOptions } from '../gateway/start-options.ts';
import { parseVariables } from '../protocol/variables.ts';
import {
  TASK_QUEUES,
  TASK_WORKFLOW_TYPE,
  type TaskWorkflowInput,
} from '../protocol/workflow-api.ts';
import { openClient } from './stack.ts';

const USAGE = `usage: ackflow redrive [--status failed,timed_out,terminated,cancelled]
  [--type TASK_TYPE] [--error-code CODE] [--tenant ID] [--since 24h | --from ISO --to ISO]
  [--limit 1000] [--dry-run]`;

const STATUSES: Record<string, string> = {
  failed: 'Failed',
  timed_out: 'TimedOut',
  terminated: 'Terminated',
  cancelled: 'Canceled',
};

/** `90s`, `30m`, `24h`, `7d` as milliseconds. */
export function parseSince(text: string): number {
  const match = text.match(/^(\d+)(s|m|h|d)$/);
  if (!match) throw new RangeError(`--since takes a number and s, m, h or d; got ${text}`);
  const unit = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }[match[2] as 's'];
  return Number(match[1]) * unit;
}

const quote = (value: string) => `"${value.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;

/** The visibility query for the chosen tasks. */
export function redriveQuery(filter: {
  statuses: string[];
  type?: string;
  errorCode?: string;
  tenant?: string;
  from: Date;
  to: Date;
}): string {
  const statuses = filter.statuses.map((status) => {
    const name = STATUSES[status];
    if (!name) throw new RangeError(`unknown status ${status}; known: ${Object.keys(STATUSES)}`);
    return quote(name);
  });
  const clauses = [
    `WorkflowType = ${quote(TASK_WORKFLOW_TYPE)}`,
    `ExecutionStatus IN (${statuses.join(', ')})`,
    `CloseTime >= ${quote(filter.from.toISOString())}`,
    `CloseTime <= ${quote(filter.to.toISOString())}`,
  ];
  if (filter.type) clauses.push(`TaskType = ${quote(filter.type)}`);
  if (filter.errorCode) clauses.push(`ErrorCode = ${quote(filter.errorCode)}`);
  if (filter.tenant) clauses.push(`TenantId = ${quote(filter.tenant)}`);
  return clauses.join(' AND ');
}

export async function redrive(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      status: { type: 'string', default: 'failed,timed_out' },
      type: { type: 'string' },
      'error-code': { type: 'string' },
      tenant: { type: 'string' },
      since: { type: 'string', default: '24h' },
      from: { type: 'string' },
      to: { type: 'string' },
      limit: { type: 'string', default: '1000' },
      'dry-run': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stderr.write(`${USAGE}\n`);
    return 0;
  }
  const to = values.to ? new Date(values.to) : new Date();
  const from = values.from
    ? new Date(values.from)
    : new Date(to.getTime() - parseSince(values.since));
  const query = redriveQuery({
    statuses: values.status.split(',').map((status) => status.trim()),
    type: values.type,
    errorCode: values['error-code'],
    tenant: values.tenant,
    from,
    to,
  });
  const variables = parseVariables(process.env);
  const { client, connection } = await openClient(variables);
  try {
    const ids: string[] = [];
    for await (const execution of client.workflow.list({ query })) {
      if (!ids.includes(execution.workflowId)) ids.push(execution.workflowId);
      if (ids.length >= Number(values.limit)) break;
    }
    process.stdout.write(`${ids.length} task(s) match: ${query}\n`);
    if (values['dry-run']) {
      for (const id of ids) process.stdout.write(`would redrive ${id}\n`);
      return 0;
    }
    let done = 0;
    let skipped = 0;
    for (const id of ids) {
      const outcome = await redriveOne(client, id);
      if (outcome === 'started') done += 1;
      else skipped += 1;
      process.stdout.write(`${progressBar(done + skipped, ids.length)} ${outcome} ${id}\n`);
    }
    process.stdout.write(`${done} redriven, ${skipped} skipped\n`);
    return 0;
  } finally {
    await connection.close();
  }
}

/** Starts a new run of one task with the input of its last run. */
async function redriveOne(client: Client, taskId: string): Promise<'started' | 'skipped'> {
  const handle = client.workflow.getHandle(taskId);
  const history = await handle.fetchHistory();
  const started = history.events?.[0]?.workflowExecutionStartedEventAttributes;
  const [task] = await decodePayloads(client, started?.input?.payloads ?? []);
  const input = task as TaskWorkflowInput;
  const options = startOptions(input, {
    taskQueue: started?.taskQueue?.name ?? TASK_QUEUES[input.tier],
    priority: input.priority,
  });
  try {
    await client.workflow.start(TASK_WORKFLOW_TYPE, {
      ...options,
      workflowIdReusePolicy: 'ALLOW_DUPLICATE_FAILED_ONLY',
      memo: { ...options.memo, redrivenAt: new Date().toISOString() },
    });
    return 'started';
  } catch (error) {
    // Another run started meanwhile (a redrive in parallel, or the task has since completed).
    if (error instanceof WorkflowExecutionAlreadyStartedError) return 'skipped';
    throw error;
  }
}

async function decodePayloads(client: Client, payloads: Payload[]): Promise<unknown[]> {
  const converter = client.options.loadedDataConverter;
  let decoded = payloads;
  for (const codec of [...converter.payloadCodecs].reverse()) decoded = await codec.decode(decoded);
  return decoded.map((payload) => converter.payloadConverter.fromPayload(payload));
}

function progressBar(done: number, total: number, width = 20): string {
  const filled = total === 0 ? width : Math.round((done / total) * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total}`;
}
