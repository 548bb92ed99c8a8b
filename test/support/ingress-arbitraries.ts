/**
 * fast-check arbitraries for deliveries to `POST /v1/tasks`: bodies from valid envelopes to
 * raw bytes, stray headers, and credentials from a valid signature to forged, tampered and
 * mutated ones. Each delivery knows whether its credential is genuinely valid, so a property
 * can check that nothing else ever starts a workflow.
 */
import fc from 'fast-check';
import { signQstashJwt } from '../../cli/qstash-signer.ts';

export interface Secrets {
  signingKey: string;
  apiKey: string;
  /** The full URL a genuine signature names as `sub`. */
  url: string;
}

/** How a delivery proves who sent it; `valid` says whether the gateway must believe it. */
export type Credential = { kind: string; valid: boolean; headers(body: Uint8Array): Headers };
type Headers = Record<string, string>;

const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const TYPES = ['llm.generate', 'resume.tailor', 'interview.prep'];

/** Printable ASCII: what any HTTP client lets through as a header value. */
const headerValue = fc.string({
  unit: fc.integer({ min: 0x20, max: 0x7e }).map(String.fromCharCode),
});
// Names that carry the credential or frame the message are set on purpose, never at random.
const RESERVED = new Set(
  'authorization upstash-signature content-length transfer-encoding host connection expect te'
    .concat(' upgrade keep-alive trailer proxy-connection')
    .split(' '),
);
const headerName = fc.stringMatching(/^[a-z][a-z0-9-]{0,30}$/).filter((n) => !RESERVED.has(n));

const taskId = fc.oneof(fc.stringMatching(/^[A-Za-z0-9._:@-]{1,40}$/), fc.string());

/** Valid envelopes, with short generations so that workers finish them at once. */
const validEnvelope = fc.record(
  {
    version: fc.constant(1),
    taskId: fc.stringMatching(/^[A-Za-z0-9._:@-]{1,40}$/),
    type: fc.constant('llm.generate'),
    input: fc.string({ minLength: 1 }).map((text) => ({ prompt: `${text} [[mock:tokens=5]]` })),
    tier: fc.constantFrom('light', 'heavy'),
    priority: fc.integer({ min: 1, max: 5 }),
    metadata: fc.dictionary(fc.string(), fc.string({ maxLength: 50 }), { maxKeys: 3 }),
  },
  { requiredKeys: ['version', 'taskId', 'type', 'input'] },
);

/** Envelopes close to valid, so that many of them get past JSON and reach the schemas. */
const envelope = fc.record(
  {
    version: fc.oneof(fc.constant(1), fc.constant(1), fc.integer(), fc.anything()),
    taskId,
    type: fc.oneof(fc.constantFrom(...TYPES), fc.string()),
    input: fc.oneof(
      fc.record({ prompt: fc.string({ minLength: 1 }) }),
      fc.record({ prompt: fc.anything(), maxOutputTokens: fc.anything() }, { requiredKeys: [] }),
      fc.anything(),
    ),
    tier: fc.oneof(fc.constantFrom('light', 'heavy'), fc.string()),
    priority: fc.oneof(fc.integer({ min: 1, max: 5 }), fc.double()),
    callbackUrl: fc.oneof(fc.webUrl(), fc.string()),
    metadata: fc.oneof(fc.dictionary(fc.string(), fc.string()), fc.anything()),
    extra: fc.anything(),
  },
  { requiredKeys: ['version', 'type', 'input'] },
);

const encode = (text: string): Uint8Array<ArrayBuffer> => new TextEncoder().encode(text);

/** Bodies: envelopes, any JSON, any text, raw bytes, and now and then one over the limit. */
export function bodyArbitrary(limitBytes: number): fc.Arbitrary<Uint8Array<ArrayBuffer>> {
  return fc.oneof(
    { weight: 3, arbitrary: validEnvelope.map((value) => encode(JSON.stringify(value))) },
    { weight: 3, arbitrary: envelope.map((value) => encode(JSON.stringify(value))) },
    { weight: 2, arbitrary: fc.json().map(encode) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary' }).map(encode) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 512 }) },
    {
      weight: 1,
      arbitrary: fc.integer({ min: limitBytes + 1, max: limitBytes * 3 }).map((size) => {
        const prompt = 'x'.repeat(size);
        return encode(JSON.stringify({ version: 1, type: 'llm.generate', input: { prompt } }));
      }),
    },
  );
}

/** Headers a delivery may carry besides its credential, QStash's own among them. */
export const extraHeadersArbitrary: fc.Arbitrary<Headers> = fc
  .record(
    {
      'content-type': fc.oneof(fc.constant('application/json'), headerValue),
      'upstash-message-id': fc.oneof(fc.stringMatching(/^msg_[a-z0-9]{8,20}$/), headerValue),
      'upstash-retried': fc.oneof(fc.nat({ max: 5 }).map(String), headerValue),
      others: fc.dictionary(headerName, headerValue, { maxKeys: 8 }),
    },
    { requiredKeys: [] },
  )
  .map(({ others = {}, ...known }) => ({ ...others, ...known }));

const nowSeconds = () => Math.floor(Date.now() / 1000);

/** Replaces one character with a different base64url one. */
function mutate(token: string, at: number, pick: number): string {
  const original = token[at] ?? '';
  const candidates = BASE64URL.replace(original, '');
  return token.slice(0, at) + candidates[pick % candidates.length] + token.slice(at + 1);
}

/** Credentials, genuine and not, for deliveries signed under `secrets`. */
export function credentialArbitrary(secrets: Secrets): fc.Arbitrary<Credential> {
  const genuine = (body: Uint8Array) =>
    signQstashJwt({ key: secrets.signingKey, url: secrets.url, body });
  const signature = (kind: string, valid: boolean, make: (body: Uint8Array) => string) => ({
    kind,
    valid,
    headers: (body: Uint8Array) => ({ 'upstash-signature': make(body) }),
  });
  const bearer = (kind: string, valid: boolean, key: string): Credential => ({
    kind,
    valid,
    headers: () => ({ authorization: `Bearer ${key}` }),
  });
  // Values a claim can be forged to that never make the token valid: an expiry in the past.
  const forged = fc.record({
    sub: fc.oneof(fc.constant(`${secrets.url}/`), fc.webUrl(), fc.anything()),
    iss: fc.oneof(fc.constantFrom('upstash', 'Mallory', ''), fc.anything()),
    exp: fc.oneof(
      fc.integer({ min: 10, max: 1e9 }).map((ago) => nowSeconds() - ago),
      fc.string(),
      fc.constant(null),
    ),
    body: fc.oneof(fc.base64String(), fc.anything()),
  });
  const claimNames = ['sub', 'iss', 'exp', 'body'] as const;

  return fc.oneof(
    fc.constant(signature('valid signature', true, genuine)),
    fc.constant(bearer('valid API key', true, secrets.apiKey)),
    fc.constant<Credential>({ kind: 'none', valid: false, headers: () => ({}) }),
    headerValue.map((value) => signature('garbage signature', false, () => value)),
    headerValue.map((key) => bearer('wrong API key', false, key)),
    fc
      .string({ minLength: 1 })
      .map((key) =>
        signature('another key', false, (body) => signQstashJwt({ key, url: secrets.url, body })),
      ),
    fc
      .record({ claims: forged, names: fc.subarray([...claimNames], { minLength: 1 }) })
      .map(({ claims, names }) => {
        const changed = Object.fromEntries(names.map((name) => [name, claims[name]]));
        // Signed with the right key, but the claims say it is not for this delivery.
        return signature(`forged ${names.join(',')}`, false, (body) =>
          signQstashJwt({ key: secrets.signingKey, url: secrets.url, body, claims: changed }),
        );
      }),
    fc.dictionary(fc.constantFrom(...claimNames, 'nbf'), fc.anything()).map((claims) =>
      signature('tampered claims', false, (body) => {
        // A genuine token whose claims part is rewritten, keeping the original MAC.
        const [header, payload = '', mac] = genuine(body).split('.');
        const original = JSON.parse(Buffer.from(payload, 'base64url').toString());
        const rewritten = JSON.stringify({ ...original, ...claims, jti: 'jwt_rewritten' });
        return `${header}.${Buffer.from(rewritten).toString('base64url')}.${mac}`;
      }),
    ),
    fc.record({ at: fc.nat(), pick: fc.nat() }).map(({ at, pick }) =>
      signature('mutated signature', false, (body) => {
        const token = genuine(body);
        // Any character of the header and claims, or of the MAC's first 40 characters,
        // each of which carries six bits of it: every change makes a different token.
        const macStart = token.lastIndexOf('.') + 1;
        return mutate(token, at % (macStart + 40), pick);
      }),
    ),
    fc.constant(
      signature('signature of another body', false, (body) =>
        genuine(Uint8Array.from([...body, 0x20])),
      ),
    ),
  );
}
