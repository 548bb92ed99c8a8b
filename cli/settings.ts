/**
 * Settings each command derives from the parsed variables: where the LLM is, and how the
 * gateway is configured. Kept here so `dev`, `gateway` and `worker` agree.
 */
import type { LlmSettings } from '../activities/llm.ts';
import {
  DEFAULT_BODY_LIMIT_BYTES,
  DEFAULT_START_TIMEOUT_MS,
  type GatewayConfig,
} from '../gateway/config.ts';
import { resolveSigningKeys, type Variables } from '../protocol/variables.ts';

/** Where `ackflow dev` and `ackflow mock-llm` serve the built-in mock LLM by default. */
export const MOCK_LLM_PORT = 8788;

/** The mock when no key is set; the configured endpoint (or OpenAI's) otherwise. */
export function llmSettings(variables: Variables, mockUrl?: string): LlmSettings {
  if (!variables.LLM_API_KEY) {
    return {
      baseURL: variables.LLM_BASE_URL ?? mockUrl ?? `http://127.0.0.1:${MOCK_LLM_PORT}/v1`,
      apiKey: 'mock',
    };
  }
  return {
    baseURL: variables.LLM_BASE_URL ?? 'https://api.openai.com/v1',
    apiKey: variables.LLM_API_KEY,
  };
}

export function usesMockLlm(variables: Variables): boolean {
  return !variables.LLM_API_KEY && !variables.LLM_BASE_URL;
}

export function gatewayConfig(variables: Variables): GatewayConfig {
  return {
    publicUrl: variables.GATEWAY_PUBLIC_URL,
    signingKeys: resolveSigningKeys(variables),
    apiKeys: variables.GATEWAY_API_KEYS,
    bodyLimitBytes: DEFAULT_BODY_LIMIT_BYTES,
    startTimeoutMs: DEFAULT_START_TIMEOUT_MS,
    defaultModel: variables.LLM_MODEL,
  };
}
