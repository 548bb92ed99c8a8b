/**
 * Routes the Temporal SDK's own log lines (worker state, core) into our JSON log stream, so
 * one process writes one kind of line. Installs the SDK runtime, which is once per process.
 */
import { DefaultLogger, type LogLevel, Runtime } from '@temporalio/worker';
import type { Logger } from 'pino';

const LEVELS: Record<LogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = {
  TRACE: 'trace',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
};

let installed = false;

export function installTemporalLogger(logger: Logger, level: LogLevel = 'INFO'): void {
  if (installed) return;
  installed = true;
  const sdkLogger = new DefaultLogger(level, ({ level: entryLevel, message, meta }) => {
    logger[LEVELS[entryLevel]]({ ...meta, component: 'temporal-sdk' }, message);
  });
  Runtime.install({ logger: sdkLogger });
}
