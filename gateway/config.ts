/** The gateway's settings, built once from the parsed variables by its entry point. */
import type { LlmSettings } from '../activities/chat-stream.ts';
import type { SigningKeys } from '../protocol/variables.ts';
import type { RouteTable } from './routes.ts';

export interface GatewayConfig {
  /** Base URL QStash calls; a signature's `sub` must equal it plus the path. */
  publicUrl: string;
  signingKeys: SigningKeys;
  /** Keys accepted as `Authorization: Bearer …` for direct submissions. */
  apiKeys: string[];
  bodyLimitBytes: number;
  /** How long a workflow start may take before the delivery is answered 503. */
  startTimeoutMs: number;
  /** Model for every task type, unless the envelope names one (LLM_MODEL). */
  defaultModel?: string;
  /** Fallback chain for every task type (LLM_FALLBACK_MODELS); the types' own when absent. */
  fallbackModels?: string[];
  /** Per task type: queue tier, priority, share run inline. */
  routes: RouteTable;
  /** The LLM that inline-mode tasks call from the gateway itself. */
  llm?: LlmSettings;
  /** Secret behind per-task read tokens. */
  readTokenSecret: string;
  /** Longest silence on an event stream before a keep-alive comment; 15 s by default. */
  eventKeepAliveMs?: number;
}
