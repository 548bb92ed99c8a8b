/**
 * QStash signature checks. `@upstash/qstash`'s Receiver does the verification (issuer,
 * expiry, subject, body hash, current key then next key); this module first holds the token
 * to QStash's shape, feeds the Receiver the raw body and the public URL, and keeps the
 * verified token's id for the record.
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
    let claims: Record<string, unknown>;
    try {
      claims = qstashClaims(signature);
      await receiver.verify({ signature, body, url, clockTolerance: CLOCK_TOLERANCE_SECONDS });
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new SignatureRejected(reason, { cause: error });
    }
    return { signatureId: typeof claims.jti === 'string' ? claims.jti : undefined };
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
 * The token's claims, if it has QStash's shape: HS256 with an expiry. The Receiver on its
 * own takes any HMAC algorithm and a token without `exp`, which would then never expire;
 * neither comes from QStash, so neither is let through, even under the right key.
 */
function qstashClaims(token: string): Record<string, unknown> {
  const alg = readPart(token, 0)?.alg;
  if (alg !== 'HS256') {
    const named = String(JSON.stringify(alg)).slice(0, 40);
    throw new Error(`algorithm ${named} is not accepted; QStash signs with HS256`);
  }
  const claims = readPart(token, 1);
  if (typeof claims?.exp !== 'number') throw new Error('the token has no expiry');
  return claims;
}
