/**
 * Runs a task type's steps, each as a sequence of chunks that continue from the text so
 * far. Pure orchestration over an injected `generateChunk`: the workflow passes its activity
 * proxy (durable mode) and the gateway a direct LLM call (inline mode), so both run exactly
 * the same steps. No I/O and no clock here, because workflow code must be deterministic.
 */
import type { ChatMessage, TaskTypeDefinition } from './task-types.ts';
import { costUsd } from './models.ts';
import type { StepReport, TaskProgress, TaskResult, TokenUsage } from './workflow-api.ts';

export interface ChunkRequest {
  model: string;
  messages: ChatMessage[];
  /** Text this step already produced; the model continues from it. */
  prefix: string;
  maxTokens: number;
}

export interface ChunkResponse {
  /** The model that produced the chunk, when it differs from the one asked for. */
  model?: string;
  text: string;
  finishReason: 'stop' | 'length';
  promptTokens: number;
  completionTokens: number;
}

/**
 * Everything a run has done so far, in plain data: what the progress query and the event
 * stream read, and what a workflow carries across continue-as-new to go on where it was.
 */
export interface StepsState {
  progress: TaskProgress;
  /** Output of each step so far, by step index; the last one may still be growing. */
  outputs: string[];
  stepNames: string[];
  /** Reports of the finished steps, and of the one under way. */
  reports: StepReport[];
  current?: StepReport;
  byModel: Record<string, TokenUsage>;
}

export function initialState(
  definition: TaskTypeDefinition | undefined,
  input: unknown,
  startedAt: string,
): StepsState {
  const stepNames = definition?.steps(input).map((step) => step.name) ?? [];
  return {
    progress: {
      state: 'running',
      step: null,
      stepIndex: 0,
      stepCount: stepNames.length,
      chunks: 0,
      outputChars: 0,
      usage: { promptTokens: 0, completionTokens: 0 },
      startedAt,
    },
    outputs: [],
    stepNames,
    reports: [],
    byModel: {},
  };
}

/**
 * Runs the steps from wherever `state` says the run is, updating it chunk by chunk. Returns
 * the result, or undefined when `pause` asked it to stop before a chunk; the state then
 * holds all that is needed to go on later.
 */
export async function runTaskSteps(
  definition: TaskTypeDefinition,
  task: { input: unknown; model: string },
  generateChunk: (request: ChunkRequest) => Promise<ChunkResponse>,
  state: StepsState,
  pause: () => boolean = () => false,
): Promise<TaskResult | undefined> {
  const { progress, outputs } = state;
  const steps = definition.steps(task.input);

  for (let index = progress.stepIndex; index < steps.length; index += 1) {
    const step = steps[index]!;
    progress.step = step.name;
    progress.stepIndex = index;
    outputs[index] ??= '';
    const messages = step.messages(task.input, outputsByName(state, index));
    const report = (state.current ??= {
      name: step.name,
      model: task.model,
      chunks: 0,
      outputChars: 0,
      promptTokens: 0,
      completionTokens: 0,
      finishReason: 'length',
    });
    while (report.completionTokens < step.maxOutputTokens) {
      if (pause()) return undefined;
      const budget = step.maxOutputTokens - report.completionTokens;
      const chunk = await generateChunk({
        model: task.model,
        messages,
        prefix: outputs[index]!,
        maxTokens: Math.min(step.chunkTokens ?? definition.chunkTokens, budget),
      });
      outputs[index] += chunk.text;
      report.chunks += 1;
      report.finishReason = chunk.finishReason;
      report.model = chunk.model ?? report.model;
      addUsage(report, chunk);
      addUsage((state.byModel[report.model] ??= { promptTokens: 0, completionTokens: 0 }), chunk);
      addUsage(progress.usage, chunk);
      progress.chunks += 1;
      progress.outputChars += chunk.text.length;
      if (chunk.finishReason === 'stop' || chunk.text.length === 0) break;
    }
    report.outputChars = outputs[index]!.length;
    report.costUsd = costUsd(report.model, report);
    state.reports.push(report);
    state.current = undefined;
  }

  progress.state = 'completed';
  progress.step = null;
  const byModel = state.byModel;
  for (const [model, usage] of Object.entries(byModel)) usage.costUsd = costUsd(model, usage);
  const costs = Object.values(byModel).map((usage) => usage.costUsd);
  const usage: TokenUsage = { ...progress.usage };
  if (costs.every((cost) => cost !== undefined)) {
    usage.costUsd = Math.round(costs.reduce((sum, cost) => sum + cost, 0) * 1e6) / 1e6;
  }
  const output = definition.result(outputsByName(state, steps.length));
  return { output, steps: state.reports, usage, usageByModel: byModel };
}

/** Outputs of the steps before `index`, by step name, as prompts refer to them. */
function outputsByName(state: StepsState, index: number): Record<string, string> {
  const byName: Record<string, string> = {};
  for (let i = 0; i < index; i += 1) byName[state.stepNames[i]!] = state.outputs[i] ?? '';
  return byName;
}

function addUsage(total: TokenUsage, chunk: Omit<TokenUsage, 'costUsd'>): void {
  total.promptTokens += chunk.promptTokens;
  total.completionTokens += chunk.completionTokens;
}

/** A position in a task's output: the step and the character offset within it. */
export interface OutputCursor {
  stepIndex: number;
  offset: number;
}

export interface OutputPiece extends OutputCursor {
  step: string;
  text: string;
}

/** Output after `cursor`, at most `limit` characters, in step order. */
export function outputSince(
  { outputs, stepNames }: StepsState,
  cursor: OutputCursor,
  limit = 64 * 1024,
): OutputPiece[] {
  const pieces: OutputPiece[] = [];
  let budget = limit;
  for (let index = cursor.stepIndex; index < outputs.length && budget > 0; index += 1) {
    const from = index === cursor.stepIndex ? cursor.offset : 0;
    const text = (outputs[index] ?? '').slice(from, from + budget);
    if (!text) continue;
    pieces.push({
      stepIndex: index,
      step: stepNames[index] ?? '',
      offset: from,
      text,
    });
    budget -= text.length;
  }
  return pieces;
}
