/** The gateway's settings, built once from the parsed variables by its entry point. */
import type { SigningKeys } from '../protocol/variables.ts';

export interface GatewayConfig {
  /** Base URL QStash calls; a signature's `sub` must equal it plus the path. */
  publicUrl: string;
  signingKeys: SigningKeys;
  /** Keys accepted as `Authorization: Bearer …` for direct submissions. */
  apiKeys: string[];
  bodyLimitBytes: number;
  /** How long a workflow start may take before the delivery is answered 503. */
  startTimeoutMs: number;
  /** Model used when neither the envelope nor the task type names one. */
  defaultModel?: string;
}

export const DEFAULT_BODY_LIMIT_BYTES = 1024 * 1024;
export const DEFAULT_START_TIMEOUT_MS = 5_000;
