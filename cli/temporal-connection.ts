/**
 * How every process of ours reaches Temporal: a plain address for the dev server, TLS with
 * an API key for Temporal Cloud, or mutual TLS for a self-hosted cluster. Certificates are
 * read once, when the process starts.
 */
import { readFileSync } from 'node:fs';
import type { TLSConfig } from '@temporalio/client';
import { ConfigurationError, type Variables } from '../protocol/variables.ts';

export interface TemporalConnectionOptions {
  address: string;
  tls?: TLSConfig | boolean;
  apiKey?: string;
}

export function temporalConnectionOptions(
  variables: Variables,
  read: (path: string) => Uint8Array = readFileSync,
): TemporalConnectionOptions {
  const {
    TEMPORAL_TLS_CERT_PATH: certPath,
    TEMPORAL_TLS_KEY_PATH: keyPath,
    TEMPORAL_TLS_CA_PATH: caPath,
    TEMPORAL_TLS_SERVER_NAME: serverName,
    TEMPORAL_API_KEY: apiKey,
  } = variables;
  if (Boolean(certPath) !== Boolean(keyPath)) {
    throw new ConfigurationError(
      'set both TEMPORAL_TLS_CERT_PATH and TEMPORAL_TLS_KEY_PATH for mTLS, or neither',
    );
  }
  const wantsTls = variables.TEMPORAL_TLS ?? Boolean(certPath || caPath || serverName || apiKey);
  if (!wantsTls) return { address: variables.TEMPORAL_ADDRESS, apiKey };

  const tls: TLSConfig = {};
  if (certPath && keyPath) tls.clientCertPair = { crt: read(certPath), key: read(keyPath) };
  if (caPath) tls.serverRootCACertificate = read(caPath);
  if (serverName) tls.serverNameOverride = serverName;
  return { address: variables.TEMPORAL_ADDRESS, tls, apiKey };
}
