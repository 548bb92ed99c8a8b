/**
 * What a chaos run must show once the faults stop: every message delivered, every task
 * accepted exactly once (one workflow run per task id, one fresh acceptance or one start
 * whose answer was lost and whose redelivery said duplicate), every task completed with the
 * fault-free text or failed with the error code its fault calls for, and the counts.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { type Client, WorkflowFailedError, WorkflowNotFoundError } from '@temporalio/client';
import type { QstashSim } from '../../bench/qstash-sim.ts';
import type { DeliveryInfo, TaskResult } from '../../protocol/workflow-api.ts';
import type { RecordedAnswer } from './answer-recorder.ts';
import type { ChaosTask } from './chaos-load.ts';

export interface ChaosRun {
  scenario: string;
  profile: string;
  client: Client;
  tasks: readonly ChaosTask[];
  sim: QstashSim;
  answers: readonly RecordedAnswer[];
  references: ReadonlyMap<string, string>;
  /** Processes killed or stopped during the run, read once all have settled. */
  kills: () => number;
  /** LLM faults the mock applied. */
  llmFaults: number;
  /** Tokens the mock generated beyond the tasks' own lengths, read once all have settled. */
  tokensRepeated: () => number;
  /** How long to wait for deliveries and workflows to settle. */
  settleTimeoutMs: number;
}

export interface ChaosCounts {
  scenario: string;
  profile: string;
  tasks: number;
  runs: number;
  duplicatesRun: number;
  tasksLost: number;
  deliveries: number;
  attempts: number;
  noAnswer: number;
  unavailable503: number;
  duplicateAnswers: number;
  startAnswerLost: number;
  kills: number;
  llmFaults: number;
  completed: number;
  failedAsExpected: number;
  outputsDiffering: number;
  fallbacks: number;
  tokensRepeated: number;
}

interface TaskFacts {
  state: string;
  delivery?: DeliveryInfo;
  firstRunMatches: boolean;
  result?: TaskResult;
  errorCode?: string;
}

export async function judgeChaosRun(run: ChaosRun) {
  const deadline = Date.now() + run.settleTimeoutMs;
  await Promise.race([run.sim.idle(), sleep(run.settleTimeoutMs)]);
  const problems: string[] = [];
  const facts = await settledFacts(run, deadline);
  // Visibility trails the histories a little: it gets a moment of its own.
  const runs = await runsPerTask(run, Math.max(deadline, Date.now() + 20_000));

  const taskOf = new Map<string, string>();
  for (const record of run.sim.deliveries) {
    taskOf.set(record.messageId, (JSON.parse(record.body) as { taskId: string }).taskId);
    if (record.outcome !== 'delivered') {
      problems.push(`message ${record.messageId} ${record.outcome} (${record.reason ?? ''})`);
    }
  }
  const answersOf = groupBy(run.answers, (answer) => taskOf.get(answer.messageId) ?? '');

  let startAnswerLost = 0;
  let completed = 0;
  let failedAsExpected = 0;
  let outputsDiffering = 0;
  let fallbacks = 0;
  let tasksLost = 0;
  for (const task of run.tasks) {
    const fact = facts.get(task.taskId);
    const id = task.taskId;
    if (!fact || fact.state === 'missing' || fact.state === 'RUNNING') {
      tasksLost += 1;
      problems.push(`${id}: ${fact?.state ?? 'missing'} at the deadline`);
      continue;
    }
    if (!fact.firstRunMatches) problems.push(`${id}: its run is not the first run of its id`);
    const acceptance = checkAcceptance(id, fact, answersOf.get(id) ?? [], problems);
    if (acceptance === 'answer lost') startAnswerLost += 1;

    if (fact.state === 'COMPLETED' && task.expect === 'completed') {
      completed += 1;
      if (fact.result?.fallbacks?.length) fallbacks += 1;
      if (fact.result?.output !== run.references.get(id)) {
        outputsDiffering += 1;
        problems.push(`${id}: output differs from the fault-free run`);
      }
    } else if (fact.state === 'FAILED' && fact.errorCode === task.expect) {
      failedAsExpected += 1;
    } else {
      tasksLost += 1;
      problems.push(`${id}: ${fact.state} ${fact.errorCode ?? ''}, expected ${task.expect}`);
    }
  }

  const runCount = [...runs.values()].reduce((sum, count) => sum + count, 0);
  for (const [id, count] of runs) if (count > 1) problems.push(`${id}: ${count} workflow runs`);
  const attempts = run.sim.deliveries.flatMap((record) => record.attempts);
  const counts: ChaosCounts = {
    scenario: run.scenario,
    profile: run.profile,
    tasks: run.tasks.length,
    runs: runCount,
    duplicatesRun: runCount - [...runs.values()].filter((count) => count > 0).length,
    tasksLost,
    deliveries: run.sim.deliveries.length,
    attempts: attempts.length,
    noAnswer: attempts.filter((attempt) => typeof attempt.status === 'string').length,
    unavailable503: run.answers.filter((answer) => answer.status === 503).length,
    duplicateAnswers: run.answers.filter((answer) => answer.duplicate === true).length,
    startAnswerLost,
    kills: run.kills(),
    llmFaults: run.llmFaults,
    completed,
    failedAsExpected,
    outputsDiffering,
    fallbacks,
    tokensRepeated: run.tokensRepeated(),
  };
  return { counts, problems };
}

/**
 * A task is accepted exactly once when the attempt that started its workflow (the memo
 * names its message and retry) is the only one answered 200 without `duplicate`, or got no
 * answer at all (the gateway died between the start and the answer) and a later attempt of
 * the same message answered `duplicate: true`.
 */
function checkAcceptance(
  id: string,
  fact: TaskFacts,
  answers: readonly RecordedAnswer[],
  problems: string[],
): 'fresh' | 'answer lost' | 'wrong' {
  const fresh = answers.filter((answer) => answer.status === 200 && answer.duplicate === false);
  const starter = fact.delivery;
  const isStarter = (answer: RecordedAnswer) =>
    answer.messageId === starter?.qstashMessageId && answer.retried === starter?.retryCount;
  if (fresh.length > 1) {
    problems.push(`${id}: accepted as new ${fresh.length} times`);
    return 'wrong';
  }
  if (fresh.length === 1) {
    if (isStarter(fresh[0]!)) return 'fresh';
    problems.push(`${id}: answered as new by an attempt that did not start it`);
    return 'wrong';
  }
  const starterAnswered = answers.some(isStarter);
  const laterDuplicate = answers.some(
    (answer) =>
      answer.messageId === starter?.qstashMessageId &&
      answer.retried > (starter?.retryCount ?? 0) &&
      answer.status === 200 &&
      answer.duplicate === true,
  );
  if (!starterAnswered && laterDuplicate) return 'answer lost';
  problems.push(`${id}: never answered as new, and no lost start redelivered as a duplicate`);
  return 'wrong';
}

/** Each task's final state, waiting (through Temporal restarts) until all have closed. */
async function settledFacts(run: ChaosRun, deadline: number) {
  const facts = new Map<string, TaskFacts>();
  let pending = run.tasks.map((task) => task.taskId);
  while (pending.length > 0) {
    const states = await Promise.all(pending.map((id) => describeTask(run.client, id)));
    pending = pending.filter((id, index) => {
      const fact = states[index];
      if (fact) facts.set(id, fact);
      return !fact || fact.state === 'RUNNING' || fact.state === 'missing';
    });
    if (pending.length === 0 || Date.now() > deadline) break;
    await sleep(500);
  }
  return facts;
}

/** Undefined when Temporal could not be asked just now. */
async function describeTask(client: Client, id: string): Promise<TaskFacts | undefined> {
  const handle = client.workflow.getHandle(id);
  try {
    const description = await handle.describe();
    const info = description.raw.workflowExecutionInfo;
    const fact: TaskFacts = {
      state: description.status.name,
      delivery: (description.memo as { delivery?: DeliveryInfo } | undefined)?.delivery,
      firstRunMatches: !info?.firstRunId || info.firstRunId === description.runId,
    };
    if (fact.state === 'COMPLETED') fact.result = await handle.result();
    if (fact.state === 'FAILED') {
      fact.errorCode = await handle.result().then(
        () => undefined,
        (error) =>
          error instanceof WorkflowFailedError
            ? ((error.cause as { type?: string } | undefined)?.type ?? 'failed')
            : undefined,
      );
    }
    return fact;
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return { state: 'missing', firstRunMatches: true };
    return undefined;
  }
}

/** Workflow runs per task id as visibility lists them, once every run shows as closed. */
async function runsPerTask(run: ChaosRun, deadline: number) {
  const ids = new Set(run.tasks.map((task) => task.taskId));
  for (;;) {
    const runs = new Map([...ids].map((id) => [id, 0]));
    let open = 0;
    try {
      for await (const execution of run.client.workflow.list()) {
        if (!ids.has(execution.workflowId)) continue;
        runs.set(execution.workflowId, (runs.get(execution.workflowId) ?? 0) + 1);
        if (execution.status.name === 'RUNNING') open += 1;
      }
    } catch {
      open = -1; // Temporal not reachable just now: ask again.
    }
    const complete = open === 0 && [...runs.values()].every((count) => count > 0);
    if (complete || Date.now() > deadline) return runs;
    await sleep(500);
  }
}

function groupBy<T>(items: readonly T[], key: (item: T) => string) {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const group = groups.get(key(item)) ?? [];
    group.push(item);
    groups.set(key(item), group);
  }
  return groups;
}
