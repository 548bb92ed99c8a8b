import { describe, expect, it } from 'vitest';
import { signQstashJwt } from '../cli/qstash-signer.ts';
import { createAuthenticator } from './auth.ts';
import type { GatewayConfig } from './config.ts';
import { Problem } from './problems.ts';

const KEYS = { current: 'sig_auth_current_secret', next: 'sig_auth_next_secret' };

function authenticatorFor(publicUrl: string) {
  const config: GatewayConfig = {
    publicUrl,
    signingKeys: { ...KEYS, development: false },
    apiKeys: [],
    bodyLimitBytes: 4096,
    startTimeoutMs: 5_000,
    routes: {},
    readTokenSecret: 'auth-test-token-secret',
  };
  return createAuthenticator(config);
}

/** Signs `body` for `url` as QStash would and authenticates it as a request for /v1/tasks. */
function deliverSignedFor(publicUrl: string, url: string) {
  const body = '{"version":1}';
  const signature = signQstashJwt({ key: KEYS.current, url, body });
  return authenticatorFor(publicUrl)({ signature }, body, '/v1/tasks');
}

describe('a QStash signature behind a proxy with a path prefix', () => {
  it('is accepted when its sub is the public URL, prefix included, plus the path', async () => {
    const sender = deliverSignedFor(
      'https://example.com/ackflow',
      'https://example.com/ackflow/v1/tasks',
    );
    await expect(sender).resolves.toMatchObject({ source: 'qstash' });
  });

  it('is accepted the same when the public URL ends with a slash', async () => {
    const sender = deliverSignedFor(
      'https://example.com/ackflow/',
      'https://example.com/ackflow/v1/tasks',
    );
    await expect(sender).resolves.toMatchObject({ source: 'qstash' });
  });

  it('is refused when its sub leaves the prefix out', async () => {
    const sender = deliverSignedFor('https://example.com/ackflow', 'https://example.com/v1/tasks');
    await expect(sender).rejects.toBeInstanceOf(Problem);
    await expect(sender).rejects.toMatchObject({ status: 401 });
  });
});
