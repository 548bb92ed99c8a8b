/** JSON-line logs for every process, with secrets redacted wherever they might appear. */
import { pino, type Logger } from 'pino';

export function createLogger(service: string, level = 'info'): Logger {
  return pino({
    level,
    base: { service },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: {
      paths: ['*.authorization', '*.apiKey', '*.signature', '*.signingKey', 'headers.*'],
      censor: '[redacted]',
    },
  });
}
