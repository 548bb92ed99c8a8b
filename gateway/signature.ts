/**
 * QStash signature checks. `@upstash/qstash`'s Receiver does the verification (issuer,
 * expiry, subject, body hash, current key then next key); this module feeds it the raw
 * body and the public URL, and reads the verified token's id for the record.
 */
import { Receiver } from '@upstash/qstash';
import type { SigningKeys } from '../protocol/variables.ts';

/** Seconds of clock difference tolerated on `nbf` and `exp`. */
export const CLOCK_TOLERANCE_SECONDS = 5;

export interface VerifiedSignature {
  /** The token's `jti`: unique per signed delivery attempt. */
  signatureId?: string;
}

export class SignatureRejected extends Error {
  override name = 'SignatureRejected';
}

export function createSignatureVerifier(keys: SigningKeys) {
  // devMode: false keeps the Receiver from reading keys out of process.env on its own.
  const receiver = new Receiver({
    currentSigningKey: keys.current,
    nextSigningKey: keys.next,
    devMode: false,
  });

  return async function verify(
    signature: string,
    body: string,
    url: string,
  ): Promise<VerifiedSignature> {
    try {
      await receiver.verify({ signature, body, url, clockTolerance: CLOCK_TOLERANCE_SECONDS });
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new SignatureRejected(reason, { cause: error });
    }
    return { signatureId: readTokenId(signature) };
  };
}

/** Reads `jti` from a token whose signature has already been verified. */
function readTokenId(token: string): string | undefined {
  const payload = token.split('.')[1];
  if (!payload) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as {
      jti?: unknown;
    };
    return typeof claims.jti === 'string' ? claims.jti : undefined;
  } catch {
    return undefined;
  }
}
