/**
 * The environment variables of DESIGN.md, parsed once per entry point. Nothing deeper in
 * the code reads process.env.
 */
import { z } from 'zod';

/**
 * QStash's published local-development signing keys. They are public, so a gateway that
 * uses them accepts anything signed by anyone: development only, and said loudly.
 */
export const QSTASH_DEV_SIGNING_KEYS = {
  current: 'sig_7kYjw48mhY7kAjqNGcy6cr29RJ6r',
  next: 'sig_5ZB6DVzB1wjE8S6rZ7eenA8Pdnhs',
} as const;

/** Signs callbacks when CALLBACK_SIGNING_SECRET is unset outside production. Public. */
export const CALLBACK_DEV_SIGNING_SECRET = 'ackflow-development-callback-secret';

const port = z.coerce.number().int().min(0).max(65_535);
const optionalString = z
  .string()
  .optional()
  .transform((value) => (value ? value : undefined));

export const variablesSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: port.default(8787),
  GATEWAY_PUBLIC_URL: z.url().default('http://localhost:8787'),
  QSTASH_CURRENT_SIGNING_KEY: optionalString,
  QSTASH_NEXT_SIGNING_KEY: optionalString,
  TEMPORAL_ADDRESS: z.string().min(1).default('localhost:7233'),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  /** Temporal Cloud API key; implies TLS. */
  TEMPORAL_API_KEY: optionalString,
  /** TLS to the frontend: `true`, or implied by any of the paths below. */
  TEMPORAL_TLS: z.stringbool().optional(),
  /** mTLS client certificate and key (PEM files), and a private CA to trust. */
  TEMPORAL_TLS_CERT_PATH: optionalString,
  TEMPORAL_TLS_KEY_PATH: optionalString,
  TEMPORAL_TLS_CA_PATH: optionalString,
  TEMPORAL_TLS_SERVER_NAME: optionalString,
  GATEWAY_API_KEYS: z
    .string()
    .optional()
    .transform((value) =>
      (value ?? '')
        .split(',')
        .map((key) => key.trim())
        .filter(Boolean),
    ),
  GATEWAY_TOKEN_SECRET: optionalString,
  GATEWAY_BODY_LIMIT_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(1024 * 1024),
  GATEWAY_START_TIMEOUT_MS: z.coerce.number().int().min(100).default(5_000),
  ROUTES_FILE: optionalString,
  /** Folder of the blob store that holds payloads over 256 KB; shared by gateways and workers. */
  BLOB_DIR: z.string().min(1).default('.data/blobs'),
  /** Chunk activities a worker runs at once on each queue. */
  WORKER_LIGHT_CONCURRENCY: z.coerce.number().int().min(1).default(100),
  WORKER_HEAVY_CONCURRENCY: z.coerce.number().int().min(1).default(20),
  /** Activities per second one worker starts, and all workers of a queue together. */
  WORKER_ACTIVITIES_PER_SECOND: z.coerce.number().positive().optional(),
  QUEUE_ACTIVITIES_PER_SECOND: z.coerce.number().positive().optional(),
  /** `host:port` where a worker serves its Prometheus metrics; none when unset. */
  WORKER_METRICS_ADDRESS: optionalString,
  LLM_BASE_URL: optionalString,
  LLM_API_KEY: optionalString,
  LLM_MODEL: optionalString,
  /** Comma-separated models to fall back to, in order, instead of the task types' own. */
  LLM_FALLBACK_MODELS: z
    .string()
    .optional()
    .transform((value) =>
      value
        ?.split(',')
        .map((model) => model.trim())
        .filter(Boolean),
    ),
  CALLBACK_SIGNING_SECRET: optionalString,
  CALLBACK_ALLOWED_HOSTS: z
    .string()
    .optional()
    .transform((value) =>
      (value ?? '')
        .split(',')
        .map((host) => host.trim().toLowerCase())
        .filter(Boolean),
    ),
  CALLBACK_ALLOW_PRIVATE: z.preprocess(
    (value) => (value === '' ? undefined : value),
    z.stringbool().default(false),
  ),
  LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal']).default('info'),
});

export type Variables = z.infer<typeof variablesSchema>;

/**
 * The address QStash calls for a gateway `path`: GATEWAY_PUBLIC_URL, with any path prefix a
 * proxy adds (`https://example.com/ackflow`), then the path. Resolving the path against the
 * base URL would drop that prefix; a trailing slash on the variable makes no difference.
 */
export function publicUrlFor(publicUrl: string, path: string): string {
  const url = new URL(publicUrl);
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
  url.search = '';
  url.hash = '';
  return url.toString();
}

export class ConfigurationError extends Error {
  override name = 'ConfigurationError';
}

/** Parses the environment, naming every variable that is wrong and why. */
export function parseVariables(env: Record<string, string | undefined>): Variables {
  const result = variablesSchema.safeParse(env);
  if (!result.success) {
    const problems = result.error.issues.map(
      (issue) => `${issue.path.join('.')}: ${issue.message}`,
    );
    throw new ConfigurationError(`invalid environment: ${problems.join('; ')}`);
  }
  return result.data;
}

/**
 * The secret behind per-task read tokens. Production requires one, shared by every gateway;
 * development uses a fixed, public one.
 */
export function resolveTokenSecret(variables: Variables): { secret: string; development: boolean } {
  if (variables.GATEWAY_TOKEN_SECRET) {
    return { secret: variables.GATEWAY_TOKEN_SECRET, development: false };
  }
  if (variables.NODE_ENV === 'production') {
    throw new ConfigurationError('GATEWAY_TOKEN_SECRET is required in production');
  }
  return { secret: 'ackflow-development-read-token-secret', development: true };
}

/**
 * The secret that signs result callbacks to producers. Production requires one; development
 * uses a fixed, public one, so anyone can forge a development callback.
 */
export function resolveCallbackSecret(variables: Variables): {
  secret: string;
  development: boolean;
} {
  if (variables.CALLBACK_SIGNING_SECRET) {
    return { secret: variables.CALLBACK_SIGNING_SECRET, development: false };
  }
  if (variables.NODE_ENV === 'production') {
    throw new ConfigurationError('CALLBACK_SIGNING_SECRET is required in production');
  }
  return { secret: CALLBACK_DEV_SIGNING_SECRET, development: true };
}

export interface SigningKeys {
  current: string;
  next: string;
  /** True when the public development keys are in use. */
  development: boolean;
}

/**
 * The signing keys the gateway verifies with. In production, missing keys are fatal; in
 * development the public local keys are used and the caller is told to say so.
 */
export function resolveSigningKeys(variables: Variables): SigningKeys {
  const { QSTASH_CURRENT_SIGNING_KEY: current, QSTASH_NEXT_SIGNING_KEY: next } = variables;
  if (current && next) return { current, next, development: false };
  if (current || next) {
    throw new ConfigurationError(
      'set both QSTASH_CURRENT_SIGNING_KEY and QSTASH_NEXT_SIGNING_KEY, or neither',
    );
  }
  if (variables.NODE_ENV === 'production') {
    throw new ConfigurationError(
      'QSTASH_CURRENT_SIGNING_KEY and QSTASH_NEXT_SIGNING_KEY are required in production',
    );
  }
  return { ...QSTASH_DEV_SIGNING_KEYS, development: true };
}
