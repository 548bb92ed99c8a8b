/**
 * `ackflow send`: sign an envelope exactly as QStash does and deliver it to the gateway,
 * optionally waiting for the task to finish.
 */
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { parseVariables, publicUrlFor, resolveSigningKeys } from '../protocol/variables.ts';
import { TERMINAL_STATES, type TaskState } from '../protocol/task-state.ts';
import { qstashHeaders } from './qstash-signer.ts';

const USAGE = `usage: ackflow send [--prompt TEXT | --input JSON | --file ENVELOPE.json]
  [--type llm.generate] [--task-id ID] [--message-id ID] [--retried N]
  [--url PUBLIC_URL] [--target DELIVERY_URL] [--wait]`;

export async function send(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      prompt: { type: 'string' },
      input: { type: 'string' },
      file: { type: 'string' },
      type: { type: 'string', default: 'llm.generate' },
      'task-id': { type: 'string' },
      'message-id': { type: 'string' },
      retried: { type: 'string', default: '0' },
      url: { type: 'string' },
      target: { type: 'string' },
      wait: { type: 'boolean', default: false },
    },
  });
  const variables = parseVariables(process.env);
  const keys = resolveSigningKeys(variables);

  let envelope: Record<string, unknown>;
  if (values.file) {
    envelope = JSON.parse(await readFile(values.file, 'utf8'));
  } else if (values.prompt !== undefined || values.input !== undefined) {
    const input = values.input ? JSON.parse(values.input) : { prompt: values.prompt };
    envelope = { version: 1, type: values.type, input, enqueuedAt: new Date().toISOString() };
  } else {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  if (values['task-id']) envelope.taskId = values['task-id'];
  envelope.taskId ??= `task-${randomUUID()}`;

  // `url` is what the signature names (the public URL QStash calls); `target` is where this
  // command actually connects, which differs behind a proxy.
  const url = values.url ?? publicUrlFor(variables.GATEWAY_PUBLIC_URL, '/v1/tasks');
  const target = values.target ?? url;
  const body = JSON.stringify(envelope);
  const headers = qstashHeaders({
    key: keys.current,
    url,
    body,
    messageId: values['message-id'],
    retried: Number(values.retried),
  });

  const response = await fetch(target, { method: 'POST', headers, body });
  const answer = await response.text();
  process.stdout.write(`${response.status} ${answer}\n`);
  if (!response.ok) return 1;
  if (!values.wait) return 0;

  // The read token in the answer lets this command follow the task without an API key.
  const { readToken } = JSON.parse(answer) as { readToken: string };
  // The status path hangs off the ingress URL, which keeps any prefix a proxy needs.
  const statusUrl = new URL(`${target.replace(/\/+$/, '')}/${envelope.taskId}`);
  statusUrl.searchParams.set('token', readToken);
  for (;;) {
    const view = (await (await fetch(statusUrl)).json()) as { state: TaskState };
    if (TERMINAL_STATES.has(view.state)) {
      process.stdout.write(`${JSON.stringify(view, null, 2)}\n`);
      return view.state === 'completed' ? 0 : 1;
    }
    await sleep(500);
  }
}
