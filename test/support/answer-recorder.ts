/**
 * A reverse proxy between the delivery simulator and a gateway that keeps every answer's
 * status and body, so a test can tell a fresh acceptance from a duplicate. When the gateway
 * gives no answer (killed mid-request, or not listening), the proxy gives none either: it
 * drops the simulator's connection, as a dead endpoint would.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedAnswer {
  messageId: string;
  /** The `Upstash-Retried` the attempt carried. */
  retried: number;
  status: number;
  /** From a 200's body: whether the task already existed. */
  duplicate?: boolean;
  taskId?: string;
  errorCode?: string;
  retryAfter?: string;
}

/** The answer headers the simulator acts on. */
const PASSED_BACK = ['content-type', 'retry-after', 'upstash-nonretryable-error'];

export interface AnswerRecorder {
  url: string;
  answers: RecordedAnswer[];
  /** Deliveries forwarded and not yet answered. */
  inFlight(): number;
  close(): Promise<void>;
}

export async function startAnswerRecorder(gatewayUrl: string): Promise<AnswerRecorder> {
  const answers: RecordedAnswer[] = [];
  let inFlight = 0;

  const forward = async (request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const headers = new Headers();
    for (const [name, value] of Object.entries(request.headers)) {
      if (typeof value === 'string' && !['host', 'connection', 'content-length'].includes(name)) {
        headers.set(name, value);
      }
    }
    inFlight += 1;
    try {
      const answer = await fetch(`${gatewayUrl}${request.url}`, {
        method: request.method,
        headers,
        body: chunks.length > 0 ? Buffer.concat(chunks) : undefined,
        signal: AbortSignal.timeout(30_000),
      });
      const text = await answer.text();
      answers.push(describe(request, answer, text));
      const passed = PASSED_BACK.flatMap((name) => {
        const value = answer.headers.get(name);
        return value === null ? [] : [[name, value] as [string, string]];
      });
      response.writeHead(answer.status, Object.fromEntries(passed)).end(text);
    } catch {
      // No answer came: none goes back.
      request.socket.destroy();
    } finally {
      inFlight -= 1;
    }
  };

  const server = createServer((request, response) => void forward(request, response));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    answers,
    inFlight: () => inFlight,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function describe(request: IncomingMessage, answer: Response, text: string): RecordedAnswer {
  const header = (name: string) => request.headers[name] as string | undefined;
  const recorded: RecordedAnswer = {
    messageId: header('upstash-message-id') ?? '',
    retried: Number(header('upstash-retried') ?? 0),
    status: answer.status,
    retryAfter: answer.headers.get('retry-after') ?? undefined,
  };
  try {
    const body = JSON.parse(text) as {
      duplicate?: boolean;
      taskId?: string;
      error?: { code?: string };
    };
    recorded.duplicate = body.duplicate;
    recorded.taskId = body.taskId;
    recorded.errorCode = body.error?.code;
  } catch {
    // Not JSON: the status says enough.
  }
  return recorded;
}
