/**
 * HTTP/1.1 written by hand onto a socket, for requests no well-behaved client would send:
 * lying or missing lengths, thousands of headers, bytes trickled with pauses.
 */
import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

export interface RawAnswer {
  /** 0 when the server closed the connection without answering. */
  status: number;
  headers: Record<string, string>;
  body: string;
  /** Milliseconds from the first byte sent to the connection's end. */
  ms: number;
}

/** The request head: method, path, headers, with `Connection: close` so the answer ends. */
export function requestHead(path: string, headers: Record<string, string> | string[]): string {
  const lines = Array.isArray(headers)
    ? headers
    : Object.entries(headers).map(([name, value]) => `${name}: ${value}`);
  return [`POST ${path} HTTP/1.1`, 'Host: 127.0.0.1', 'Connection: close', ...lines, '', ''].join(
    '\r\n',
  );
}

/**
 * Writes the parts one after another, `gapMs` apart, and reads until the server closes the
 * connection (or `timeoutMs` passes, which fails the request).
 */
export async function sendRaw(
  baseUrl: string,
  parts: Array<string | Uint8Array>,
  options: { gapMs?: number; timeoutMs?: number } = {},
): Promise<RawAnswer> {
  const { port, hostname } = new URL(baseUrl);
  const socket = connect({ port: Number(port), host: hostname });
  const chunks: Buffer[] = [];
  const started = performance.now();
  const ended = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no end of answer within ${options.timeoutMs ?? 15_000} ms`));
    }, options.timeoutMs ?? 15_000);
    socket.on('data', (data) => chunks.push(data));
    socket.on('close', () => {
      clearTimeout(timer);
      resolve();
    });
    // A server that closes while we still write makes the write fail; the answer, if any,
    // has been read by then.
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));

  for (const part of parts) {
    if (socket.destroyed) break;
    socket.write(part);
    if (options.gapMs) await sleep(options.gapMs);
  }
  await ended;
  return parseAnswer(Buffer.concat(chunks).toString('utf8'), performance.now() - started);
}

function parseAnswer(text: string, ms: number): RawAnswer {
  const [head = '', ...rest] = text.split('\r\n\r\n');
  const [statusLine = '', ...headerLines] = head.split('\r\n');
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1] ?? 0);
  const headers = Object.fromEntries(
    headerLines.map((line) => {
      const colon = line.indexOf(':');
      return [line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim()];
    }),
  );
  return { status, headers, body: rest.join('\r\n\r\n'), ms };
}

/** Splits bytes into `count` nearly equal pieces. */
export function pieces(bytes: Uint8Array, count: number): Uint8Array[] {
  const size = Math.ceil(bytes.length / count);
  return Array.from({ length: count }, (_, i) => bytes.subarray(i * size, (i + 1) * size));
}
