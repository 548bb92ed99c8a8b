/**
 * The built-in mock LLM: an OpenAI-compatible chat completions server with deterministic,
 * resumable text, paced streaming, faults on demand and counters.
 *
 * @example
 * const llm = await startMockLlm({ tokensPerSecond: 0 });
 * const openai = new OpenAI({ baseURL: llm.url, apiKey: 'test' });
 * llm.faults.add({ kind: 'rate_limit', retryAfterSeconds: 2 });
 * await llm.close();
 */
export { createMockLlm, MOCK_MODELS } from './app.ts';
export type { MockLlm } from './app.ts';
export { FaultQueue, FaultSpecError } from './faults.ts';
export type { Fault, FaultKind, FaultSpec } from './faults.ts';
export type { MockLlmOptions } from './options.ts';
export { startMockLlm } from './server.ts';
export type { RunningMockLlm, StartMockLlmOptions } from './server.ts';
export type { MockLlmStats } from './stats.ts';
