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
      checkShape(signature);
      await receiver.verify({ signature, body, url, clockTolerance: CLOCK_TOLERANCE_SECONDS });
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new SignatureRejected(reason, { cause: error });
    }
    return { signatureId: readTokenId(signature) };
  };
}

/** One part of a token (0: header, 1: claims) as an object, or undefined when it is not. */
function readPart(token: string, index: number): Record<string, unknown> | undefined {
  const part = token.split('.')[index];
  if (!part) return undefined;
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
  } catch {
    return undefined;
  }
}

/**
 * Accepts only what QStash sends: HS256 with an expiry. The Receiver on its own takes any
 * HMAC algorithm and a token without `exp`, which would then never expire; neither comes
 * from QStash, so neither is let through, even under the right key.
 */
function checkShape(token: string): void {
  const alg = readPart(token, 0)?.alg;
  if (alg !== 'HS256') {
    const named = String(JSON.stringify(alg)).slice(0, 40);
    throw new Error(`algorithm ${named} is not accepted; QStash signs with HS256`);
  }
  if (typeof readPart(token, 1)?.exp !== 'number') throw new Error('the token has no expiry');
}

/** Reads `jti` from a token whose signature has already been verified. */
function readTokenId(token: string): string | undefined {
  const jti = readPart(token, 1)?.jti;
  return typeof jti === 'string' ? jti : undefined;
}
