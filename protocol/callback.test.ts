import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  callbackIdempotencyKey,
  CallbackSignatureError,
  signCallback,
  verifyCallback,
} from './callback.ts';
import { CALLBACK_DEV_SIGNING_SECRET, parseVariables, resolveCallbackSecret } from './variables.ts';

const secret = 'whsec-test';
const body = '{"version":1,"taskId":"t-1","state":"completed"}';
const now = 1_760_000_000;

function problemOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(CallbackSignatureError);
    return (error as CallbackSignatureError).problem;
  }
  return expect.fail('verification passed');
}

describe('signCallback', () => {
  it('signs "<t>.<body>" with HMAC-SHA256 in hex', () => {
    const expected = createHmac('sha256', secret).update(`${now}.${body}`).digest('hex');
    expect(signCallback(secret, body, now)).toBe(`t=${now},v1=${expected}`);
  });

  it('signs bytes and the same text alike', () => {
    expect(signCallback(secret, Buffer.from(body), now)).toBe(signCallback(secret, body, now));
  });

  it('refuses a timestamp in milliseconds or fractions', () => {
    expect(() => signCallback(secret, body, 1.5)).toThrow(/whole unix seconds/);
  });
});

describe('verifyCallback', () => {
  const header = signCallback(secret, body, now);

  it('accepts a fresh signature of the exact body', () => {
    expect(verifyCallback(secret, body, header, { now: now + 10 })).toEqual({ timestamp: now });
  });

  it('rejects a tampered body', () => {
    const tampered = body.replace('completed', 'failed');
    expect(problemOf(() => verifyCallback(secret, tampered, header, { now }))).toBe('invalid');
  });

  it('rejects another secret', () => {
    expect(problemOf(() => verifyCallback('other', body, header, { now }))).toBe('invalid');
  });

  it('rejects a stale timestamp, and one too far ahead', () => {
    expect(problemOf(() => verifyCallback(secret, body, header, { now: now + 301 }))).toBe(
      'expired',
    );
    expect(problemOf(() => verifyCallback(secret, body, header, { now: now - 301 }))).toBe(
      'expired',
    );
    const lenient = { now: now + 3000, toleranceSeconds: 3600 };
    expect(verifyCallback(secret, body, header, lenient)).toEqual({ timestamp: now });
  });

  it('rejects a timestamp changed after signing', () => {
    const moved = header.replace(`t=${now}`, `t=${now + 1}`);
    expect(problemOf(() => verifyCallback(secret, body, moved, { now }))).toBe('invalid');
  });

  it.each([
    [undefined],
    [''],
    ['v1=abc'],
    [`t=${now}`],
    [`t=${now},v1=zz`],
    [`t=soon,v1=${'a'.repeat(64)}`],
    ['garbage'],
  ])('calls the header %j malformed', (bad) => {
    expect(problemOf(() => verifyCallback(secret, body, bad, { now }))).toBe('malformed');
  });

  it('accepts any of several secrets, for rotation', () => {
    expect(verifyCallback(['new', secret], body, header, { now })).toEqual({ timestamp: now });
  });

  it('accepts a header with extra signatures and spaces', () => {
    const extra = `t=${now}, v1=${'0'.repeat(64)}, ${header.split(',')[1]}`;
    expect(verifyCallback(secret, body, extra, { now })).toEqual({ timestamp: now });
  });
});

describe('callbackIdempotencyKey', () => {
  it('is stable per task and state', () => {
    expect(callbackIdempotencyKey('t-1', 'completed')).toBe('t-1:completed');
    expect(callbackIdempotencyKey('t-1', 'failed')).not.toBe('t-1:completed');
  });
});

describe('callback variables', () => {
  it('default to no allowlist and no private addresses', () => {
    const variables = parseVariables({});
    expect(variables.CALLBACK_ALLOWED_HOSTS).toEqual([]);
    expect(variables.CALLBACK_ALLOW_PRIVATE).toBe(false);
  });

  it('split the allowlist on commas and read the private switch', () => {
    const variables = parseVariables({
      CALLBACK_ALLOWED_HOSTS: 'Hooks.Example.com, *.producer.example,,',
      CALLBACK_ALLOW_PRIVATE: 'true',
    });
    expect(variables.CALLBACK_ALLOWED_HOSTS).toEqual(['hooks.example.com', '*.producer.example']);
    expect(variables.CALLBACK_ALLOW_PRIVATE).toBe(true);
  });

  it('refuse a private switch that is not a boolean', () => {
    expect(() => parseVariables({ CALLBACK_ALLOW_PRIVATE: 'maybe' })).toThrow(
      /CALLBACK_ALLOW_PRIVATE/,
    );
  });

  it('use the public development secret outside production, and say so', () => {
    expect(resolveCallbackSecret(parseVariables({}))).toEqual({
      secret: CALLBACK_DEV_SIGNING_SECRET,
      development: true,
    });
  });

  it('require a signing secret in production', () => {
    const production = parseVariables({ NODE_ENV: 'production' });
    expect(() => resolveCallbackSecret(production)).toThrow(/CALLBACK_SIGNING_SECRET/);
    const configured = parseVariables({ NODE_ENV: 'production', CALLBACK_SIGNING_SECRET: 's' });
    expect(resolveCallbackSecret(configured)).toEqual({ secret: 's', development: false });
  });
});
