import { describe, expect, it } from 'vitest';
import { parseVariables } from '../protocol/variables.ts';
import { temporalConnectionOptions } from './temporal-connection.ts';

const files: Record<string, string> = {
  '/certs/client.pem': 'CERT',
  '/certs/client.key': 'KEY',
  '/certs/ca.pem': 'CA',
};
const read = (path: string) => new TextEncoder().encode(files[path]);
const options = (env: Record<string, string>) =>
  temporalConnectionOptions(parseVariables({ TEMPORAL_ADDRESS: 'temporal:7233', ...env }), read);

describe('temporalConnectionOptions', () => {
  it('connects in plain text to a dev server', () => {
    expect(options({})).toEqual({ address: 'temporal:7233' });
  });

  it('uses TLS with the API key for Temporal Cloud', () => {
    expect(options({ TEMPORAL_API_KEY: 'key-1' })).toEqual({
      address: 'temporal:7233',
      tls: {},
      apiKey: 'key-1',
    });
  });

  it('reads the client certificate, key and CA once for mutual TLS', () => {
    const mtls = options({
      TEMPORAL_TLS_CERT_PATH: '/certs/client.pem',
      TEMPORAL_TLS_KEY_PATH: '/certs/client.key',
      TEMPORAL_TLS_CA_PATH: '/certs/ca.pem',
      TEMPORAL_TLS_SERVER_NAME: 'temporal.internal',
    });
    const decode = (bytes?: Uint8Array) => new TextDecoder().decode(bytes);
    const tls = mtls.tls as Exclude<typeof mtls.tls, boolean | undefined>;
    expect(decode(tls.clientCertPair?.crt)).toBe('CERT');
    expect(decode(tls.clientCertPair?.key)).toBe('KEY');
    expect(decode(tls.serverRootCACertificate)).toBe('CA');
    expect(tls.serverNameOverride).toBe('temporal.internal');
  });

  it('turns TLS on or off as TEMPORAL_TLS says', () => {
    expect(options({ TEMPORAL_TLS: 'true' }).tls).toEqual({});
    expect(options({ TEMPORAL_TLS: 'false' }).tls).toBeUndefined();
  });

  it('refuses a certificate without its key', () => {
    expect(() => options({ TEMPORAL_TLS_CERT_PATH: '/certs/client.pem' })).toThrow(/both/);
  });
});
