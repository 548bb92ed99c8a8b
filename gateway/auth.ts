/** Who sent a delivery: QStash (a valid signature) or a producer holding an API key. */
import { createHash, timingSafeEqual } from 'node:crypto';
import { ERROR_CODES } from '../protocol/error-codes.ts';
import { publicUrlFor } from '../protocol/variables.ts';
import type { GatewayConfig } from './config.ts';
import { Problem } from './problems.ts';
import { createSignatureVerifier, SignatureRejected } from './signature.ts';

export type Sender = { source: 'qstash'; signatureId?: string } | { source: 'api' };

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/** Compares digests so the time taken says nothing about how much of a key matched. */
export function apiKeyMatches(candidate: string, keys: readonly string[]): boolean {
  const wanted = digest(candidate);
  return keys.reduce((found, key) => timingSafeEqual(wanted, digest(key)) || found, false);
}

export function createAuthenticator(config: GatewayConfig) {
  const verify = createSignatureVerifier(config.signingKeys);

  return async function authenticate(
    headers: { signature?: string; authorization?: string },
    body: string,
    path: string,
  ): Promise<Sender> {
    if (headers.signature) {
      // `path` is what reached the gateway; a proxy may have stripped a prefix from it.
      const url = publicUrlFor(config.publicUrl, path);
      try {
        const { signatureId } = await verify(headers.signature, body, url);
        return { source: 'qstash', signatureId };
      } catch (error) {
        if (!(error instanceof SignatureRejected)) throw error;
        throw new Problem(401, ERROR_CODES.signatureInvalid, `invalid signature: ${error.message}`);
      }
    }
    const bearer = headers.authorization?.match(/^Bearer\s+(.+)$/i)?.[1];
    if (bearer !== undefined) {
      if (config.apiKeys.length > 0 && apiKeyMatches(bearer, config.apiKeys)) {
        return { source: 'api' };
      }
      throw new Problem(401, ERROR_CODES.apiKeyInvalid, 'the API key is not valid');
    }
    throw new Problem(
      401,
      ERROR_CODES.signatureMissing,
      'an Upstash-Signature header or an Authorization: Bearer API key is required',
    );
  };
}
