/**
 * Installs the Temporal SDK runtime once per process: its log lines go into our JSON log
 * stream, and, when an address is given, its metrics (worker slots, schedule-to-start and
 * execution latencies, polls, failures) are served in Prometheus format.
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

/** Tasks wait and run for seconds to many minutes; the buckets follow suit. */
const SECONDS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800];
const TASK_SECONDS_BUCKETS = {
  ackflow_task_queue_wait_seconds: SECONDS,
  ackflow_task_execution_seconds: SECONDS,
};

export interface RuntimeOptions {
  level?: LogLevel;
  /** `host:port` to serve `/metrics` on, e.g. `0.0.0.0:9464`; no endpoint when absent. */
  metricsAddress?: string;
  /** Labels on every metric, such as the worker's instance id. */
  metricsTags?: Record<string, string>;
}

export function installTemporalRuntime(logger: Logger, options: RuntimeOptions = {}): void {
  if (installed) return;
  installed = true;
  const sdkLogger = new DefaultLogger(options.level ?? 'INFO', ({ level, message, meta }) => {
    logger[LEVELS[level]]({ ...meta, component: 'temporal-sdk' }, message);
  });
  Runtime.install({
    logger: sdkLogger,
    telemetryOptions: options.metricsAddress
      ? {
          metrics: {
            prometheus: {
              bindAddress: options.metricsAddress,
              useSecondsForDurations: true,
              histogramBucketOverrides: TASK_SECONDS_BUCKETS,
            },
            globalTags: options.metricsTags,
          },
        }
      : undefined,
  });
}

/** The logger alone, for processes that serve no metrics (tests, tools). */
export function installTemporalLogger(logger: Logger, level: LogLevel = 'INFO'): void {
  installTemporalRuntime(logger, { level });
}
