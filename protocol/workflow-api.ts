/**
 * What the gateway and the task workflow agree on: the workflow's name, its input, the
 * progress query and the result. Plain data, so both sides can import it.
 */
import type { Tier } from './envelope.ts';
import type { TaskState } from './task-state.ts';

export const TASK_WORKFLOW_TYPE = 'taskWorkflow';
export const PROGRESS_QUERY = 'progress';
export const OUTPUT_QUERY = 'output';

export const TASK_QUEUES: Record<Tier, string> = {
  light: 'ackflow-light',
  heavy: 'ackflow-heavy',
};

/** How one delivery reached the gateway; recorded so a run links back to its delivery. */
export interface DeliveryInfo {
  source: 'qstash' | 'api';
  qstashMessageId?: string;
  retryCount: number;
  signatureId?: string;
  enqueuedAt?: string;
  receivedAt: string;
}

export interface TaskWorkflowInput {
  taskId: string;
  type: string;
  input: unknown;
  model: string;
  /** Models to try after `model`, in order; the task type's chain when absent. */
  fallbackModels?: string[];
  tier: Tier;
  tenantId?: string;
  priority?: number;
  callbackUrl?: string;
  metadata?: Record<string, string>;
  delivery: DeliveryInfo;
}

export interface TokenUsage {
  promptTokens: number;
  completionTokens: number;
  /** US dollars, when every model involved has a known price. */
  costUsd?: number;
}

export interface StepReport extends TokenUsage {
  name: string;
  model: string;
  chunks: number;
  outputChars: number;
  finishReason: 'stop' | 'length';
}

export interface TaskProgress {
  state: TaskState;
  step: string | null;
  stepIndex: number;
  stepCount: number;
  chunks: number;
  outputChars: number;
  usage: TokenUsage;
  startedAt: string;
}

/** A step moved to the next model of its chain after its model kept failing. */
export interface ModelFallback {
  step: string | null;
  from: string;
  to: string;
  /** The error code of the failure that decided it. */
  errorCode: string;
}

export interface TaskResult {
  output: string;
  steps: StepReport[];
  usage: TokenUsage;
  usageByModel: Record<string, TokenUsage>;
  fallbacks?: ModelFallback[];
}
