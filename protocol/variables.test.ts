import { describe, expect, it } from 'vitest';
import {
  parseVariables,
  publicUrlFor,
  QSTASH_DEV_SIGNING_KEYS,
  resolveSigningKeys,
} from './variables.ts';

describe('parseVariables', () => {
  it('fills in the documented defaults', () => {
    const variables = parseVariables({});
    expect(variables).toMatchObject({
      PORT: 8787,
      GATEWAY_PUBLIC_URL: 'http://localhost:8787',
      TEMPORAL_ADDRESS: 'localhost:7233',
      TEMPORAL_NAMESPACE: 'default',
      GATEWAY_API_KEYS: [],
    });
  });

  it('names each variable that is wrong', () => {
    expect(() => parseVariables({ PORT: 'eighty', GATEWAY_PUBLIC_URL: 'nope' })).toThrow(
      /PORT.*GATEWAY_PUBLIC_URL|GATEWAY_PUBLIC_URL.*PORT/,
    );
  });

  it('splits API keys on commas', () => {
    expect(parseVariables({ GATEWAY_API_KEYS: 'a, b,,c' }).GATEWAY_API_KEYS).toEqual([
      'a',
      'b',
      'c',
    ]);
  });
});

describe('resolveSigningKeys', () => {
  it('uses the public development keys in development, and says so', () => {
    const keys = resolveSigningKeys(parseVariables({}));
    expect(keys).toEqual({ ...QSTASH_DEV_SIGNING_KEYS, development: true });
  });

  it('refuses to start in production without signing keys', () => {
    expect(() => resolveSigningKeys(parseVariables({ NODE_ENV: 'production' }))).toThrow(
      /required in production/,
    );
  });

  it('refuses half a key pair', () => {
    const variables = parseVariables({ QSTASH_CURRENT_SIGNING_KEY: 'sig_a' });
    expect(() => resolveSigningKeys(variables)).toThrow(/both/);
  });

  it('uses configured keys when both are set', () => {
    const variables = parseVariables({
      NODE_ENV: 'production',
      QSTASH_CURRENT_SIGNING_KEY: 'sig_a',
      QSTASH_NEXT_SIGNING_KEY: 'sig_b',
    });
    expect(resolveSigningKeys(variables)).toEqual({
      current: 'sig_a',
      next: 'sig_b',
      development: false,
    });
  });
});

describe('publicUrlFor', () => {
  it('keeps the path prefix of the public URL in front of the path', () => {
    expect(publicUrlFor('https://example.com/ackflow', '/v1/tasks')).toBe(
      'https://example.com/ackflow/v1/tasks',
    );
  });

  it('gives the same URL whether or not the public URL ends with a slash', () => {
    expect(publicUrlFor('https://example.com/ackflow/', '/v1/tasks')).toBe(
      'https://example.com/ackflow/v1/tasks',
    );
    expect(publicUrlFor('http://localhost:8787/', '/v1/tasks')).toBe(
      'http://localhost:8787/v1/tasks',
    );
    expect(publicUrlFor('http://localhost:8787', '/v1/tasks')).toBe(
      'http://localhost:8787/v1/tasks',
    );
  });
});
