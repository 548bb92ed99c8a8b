/**
 * The task workflow: runs a task type's steps in order, each as a sequence of chunk
 * activities that continue from the text so far until the model stops.
 */
import {
  ApplicationFailure,
  defineQuery,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { LlmActivities } from '../activities/llm.ts';
import { ERROR_CODES } from '../protocol/error-codes.ts';
import { SEARCH_ATTRIBUTES } from '../protocol/search-attributes.ts';
import { getTaskType } from '../protocol/task-types.ts';
import {
  PROGRESS_QUERY,
  type StepReport,
  type TaskProgress,
  type TaskResult,
  type TaskWorkflowInput,
} from '../protocol/workflow-api.ts';
import { llmChunkOptions } from './activity-options.ts';

const { generateChunk } = proxyActivities<LlmActivities>(llmChunkOptions);

export const progressQuery = defineQuery<TaskProgress>(PROGRESS_QUERY);

export async function taskWorkflow(task: TaskWorkflowInput): Promise<TaskResult> {
  const definition = getTaskType(task.type);
  const progress: TaskProgress = {
    state: 'running',
    step: null,
    stepIndex: 0,
    stepCount: definition?.steps.length ?? 0,
    chunks: 0,
    outputChars: 0,
    usage: { promptTokens: 0, completionTokens: 0 },
    startedAt: workflowInfo().startTime.toISOString(),
  };
  setHandler(progressQuery, () => progress);

  if (!definition) {
    upsertSearchAttributes([{ key: SEARCH_ATTRIBUTES.ErrorCode, value: 'unknown_task_type' }]);
    throw ApplicationFailure.nonRetryable(
      `task type ${task.type} is not registered on this worker`,
      ERROR_CODES.unknownTaskType,
    );
  }

  const outputs: Record<string, string> = {};
  const steps: StepReport[] = [];
  for (const [index, step] of definition.steps.entries()) {
    progress.step = step.name;
    progress.stepIndex = index;
    const messages = step.messages(task.input, outputs);
    const report: StepReport = {
      name: step.name,
      model: task.model,
      chunks: 0,
      outputChars: 0,
      promptTokens: 0,
      completionTokens: 0,
      finishReason: 'length',
    };
    let text = '';
    while (report.completionTokens < step.maxOutputTokens) {
      const budget = step.maxOutputTokens - report.completionTokens;
      const chunk = await generateChunk({
        model: task.model,
        messages,
        prefix: text,
        maxTokens: Math.min(definition.chunkTokens, budget),
      });
      text += chunk.text;
      report.chunks += 1;
      report.promptTokens += chunk.promptTokens;
      report.completionTokens += chunk.completionTokens;
      report.finishReason = chunk.finishReason;
      progress.chunks += 1;
      progress.outputChars += chunk.text.length;
      progress.usage.promptTokens += chunk.promptTokens;
      progress.usage.completionTokens += chunk.completionTokens;
      if (chunk.finishReason === 'stop' || chunk.text.length === 0) break;
    }
    report.outputChars = text.length;
    outputs[step.name] = text;
    steps.push(report);
  }

  progress.state = 'completed';
  return { output: outputs[definition.resultStep] ?? '', steps, usage: progress.usage };
}
