/**
 * Stable error codes: in HTTP error bodies, log lines, metrics and the ErrorCode search
 * attribute. Producers may branch on them, so a code is never renamed.
 */
export const ERROR_CODES = {
  signatureMissing: 'signature_missing',
  signatureInvalid: 'signature_invalid',
  apiKeyInvalid: 'api_key_invalid',
  accessDenied: 'access_denied',
  taskClosed: 'task_closed',
  taskCancelled: 'task_cancelled',
  bodyTooLarge: 'body_too_large',
  malformedJson: 'malformed_json',
  invalidEnvelope: 'invalid_envelope',
  unsupportedVersion: 'unsupported_version',
  unknownTaskType: 'unknown_task_type',
  invalidInput: 'invalid_input',
  missingTaskId: 'missing_task_id',
  temporalUnavailable: 'temporal_unavailable',
  notFound: 'not_found',
  internal: 'internal',
  llmRateLimited: 'llm_rate_limited',
  llmUnavailable: 'llm_unavailable',
  llmRequestInvalid: 'llm_request_invalid',
  llmStalled: 'llm_stalled',
  outputLimit: 'output_limit',
  callbackFailed: 'callback_failed',
  callbackRejected: 'callback_rejected',
  callbackForbidden: 'callback_forbidden',
} as const;

export type ErrorCode = (typeof ERROR_CODES)[keyof typeof ERROR_CODES];
