/**
 * Signs a delivery the way QStash does: an HS256 JWT in `Upstash-Signature` whose claims
 * name the issuer, the destination URL (`sub`), a validity window, a unique id and the
 * base64url SHA-256 of the body. The gateway's Receiver verifies exactly these.
 */
import { createHash, createHmac, randomUUID } from 'node:crypto';

export interface SignOptions {
  key: string;
  /** The full destination URL, as QStash was given it. */
  url: string;
  body: string | Uint8Array;
  /** Signing time in seconds since the epoch; now by default. */
  now?: number;
  /** Seconds the token stays valid; QStash uses five minutes. */
  ttlSeconds?: number;
  issuer?: string;
  jwtId?: string;
  /** Overrides for tests that need a malformed or hostile token. */
  header?: Record<string, unknown>;
  claims?: Record<string, unknown>;
}

const base64url = (data: string | Uint8Array) => Buffer.from(data).toString('base64url');

export function bodyHash(body: string | Uint8Array): string {
  return createHash('sha256').update(body).digest('base64url');
}

export function signQstashJwt(options: SignOptions): string {
  const now = options.now ?? Math.floor(Date.now() / 1000);
  const header = { alg: 'HS256', typ: 'JWT', ...options.header };
  const claims = {
    iss: options.issuer ?? 'Upstash',
    sub: options.url,
    exp: now + (options.ttlSeconds ?? 300),
    nbf: now,
    iat: now,
    jti: options.jwtId ?? `jwt_${randomUUID().replaceAll('-', '')}`,
    body: bodyHash(options.body),
    ...options.claims,
  };
  const unsigned = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(claims))}`;
  const signature = createHmac('sha256', options.key).update(unsigned).digest('base64url');
  return `${unsigned}.${signature}`;
}

export interface DeliveryHeaders {
  'content-type': string;
  'upstash-signature': string;
  'upstash-message-id': string;
  'upstash-retried': string;
  [name: string]: string;
}

/** The headers QStash sends with one delivery attempt of a message. */
export function qstashHeaders(
  options: SignOptions & { messageId?: string; retried?: number },
): DeliveryHeaders {
  return {
    'content-type': 'application/json',
    'upstash-signature': signQstashJwt(options),
    'upstash-message-id': options.messageId ?? `msg_${randomUUID().replaceAll('-', '')}`,
    'upstash-retried': String(options.retried ?? 0),
  };
}
