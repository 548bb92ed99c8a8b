import { Receiver } from '@upstash/qstash';
import { describe, expect, it } from 'vitest';
import { bodyHash, qstashHeaders, signQstashJwt } from './qstash-signer.ts';

const key = 'sig_unit_test_key';
const url = 'https://gateway.example/v1/tasks';
const receiver = new Receiver({
  currentSigningKey: key,
  nextSigningKey: 'sig_other',
  devMode: false,
});

function claimsOf(token: string) {
  return JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString());
}

describe('signQstashJwt', () => {
  it('produces a token that the QStash Receiver accepts', async () => {
    const body = '{"version":1}';
    const token = signQstashJwt({ key, url, body });
    await expect(receiver.verify({ signature: token, body, url })).resolves.toBe(true);
  });

  it('carries every claim QStash sends, with the body hash in base64url', () => {
    const token = signQstashJwt({ key, url, body: 'abc', now: 1_700_000_000, jwtId: 'jwt_1' });
    expect(claimsOf(token)).toEqual({
      iss: 'Upstash',
      sub: url,
      iat: 1_700_000_000,
      nbf: 1_700_000_000,
      exp: 1_700_000_300,
      jti: 'jwt_1',
      body: 'ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0',
    });
    expect(bodyHash('abc')).toBe('ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0');
  });

  it('is refused by the Receiver when the body changes after signing', async () => {
    const token = signQstashJwt({ key, url, body: 'original' });
    await expect(receiver.verify({ signature: token, body: 'tampered', url })).rejects.toThrow(
      /body hash/,
    );
  });
});

describe('qstashHeaders', () => {
  it('adds the message id and retry count of a delivery attempt', () => {
    const headers = qstashHeaders({ key, url, body: '{}', messageId: 'msg_1', retried: 2 });
    expect(headers['upstash-message-id']).toBe('msg_1');
    expect(headers['upstash-retried']).toBe('2');
    expect(headers['upstash-signature'].split('.')).toHaveLength(3);
  });
});
