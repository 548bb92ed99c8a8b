/**
 * Settings each command derives from the parsed variables: where the LLM is, and how the
 * gateway is configured. Kept here so `dev`, `gateway` and `worker` agree.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { LlmSettings } from '../activities/llm.ts';
import type { GatewayConfig } from '../gateway/config.ts';
import { parseRoutes, type RouteTable } from '../gateway/routes.ts';
import type { CallbackSettings } from '../activities/callback.ts';
import {
  resolveCallbackSecret,
  resolveSigningKeys,
  resolveTokenSecret,
  type Variables,
} from '../protocol/variables.ts';

/** The routes file used when ROUTES_FILE is not set. */
export const DEFAULT_ROUTES_FILE = fileURLToPath(new URL('../config/routes.json', import.meta.url));

/** Reads and validates the routes file once, at start: a bad file stops the gateway. */
export function loadRoutes(path = DEFAULT_ROUTES_FILE): RouteTable {
  return parseRoutes(readFileSync(path, 'utf8'), path);
}

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

export function gatewayConfig(variables: Variables, mockUrl?: string): GatewayConfig {
  return {
    publicUrl: variables.GATEWAY_PUBLIC_URL,
    signingKeys: resolveSigningKeys(variables),
    apiKeys: variables.GATEWAY_API_KEYS,
    bodyLimitBytes: variables.GATEWAY_BODY_LIMIT_BYTES,
    startTimeoutMs: variables.GATEWAY_START_TIMEOUT_MS,
    defaultModel: variables.LLM_MODEL,
    // A configured model's provider knows nothing of the task types' default chains.
    fallbackModels: variables.LLM_FALLBACK_MODELS ?? (variables.LLM_MODEL ? [] : undefined),
    routes: loadRoutes(variables.ROUTES_FILE),
    llm: llmSettings(variables, mockUrl),
    readTokenSecret: resolveTokenSecret(variables).secret,
  };
}

export function callbackSettings(variables: Variables): CallbackSettings {
  return {
    secret: resolveCallbackSecret(variables).secret,
    allowedHosts: variables.CALLBACK_ALLOWED_HOSTS,
    allowPrivateAddresses: variables.CALLBACK_ALLOW_PRIVATE,
  };
}
