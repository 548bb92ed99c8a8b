/**
 * `interview.prep`: prepare a candidate for an interview. Find the themes the interviewers
 * will probe, write questions with model answers drawn from the candidate's background, and
 * finish with a study plan for the gaps.
 */
import type { InterviewPrepInput } from '../task-inputs.ts';
import type { TaskTypeDefinition } from '../task-types.ts';

const COACH = 'You are an interview coach for software roles. Be specific and practical.';

export const interviewPrep: TaskTypeDefinition<InterviewPrepInput> = {
  type: 'interview.prep',
  description: 'Interview themes, questions with model answers, and a study plan.',
  tier: 'heavy',
  model: 'mock-large',
  fallbackModels: ['mock-fast'],
  mode: 'durable',
  chunkTokens: 256,
  steps: (task) => [
    {
      name: 'themes',
      maxOutputTokens: 1_024,
      messages: () => [
        { role: 'system', content: COACH },
        {
          role: 'user',
          content: `Which themes will interviews for this job probe?\n\n${task.jobDescription}`,
        },
      ],
    },
    {
      name: 'questions',
      maxOutputTokens: 4_096,
      messages: (_, earlier) => [
        { role: 'system', content: COACH },
        {
          role: 'user',
          content:
            `Write ${task.questionCount} interview questions covering these themes, each with ` +
            `a model answer${task.resume ? ' drawn from this background' : ''}.\n\n` +
            `Themes:\n${earlier.themes}${task.resume ? `\n\nBackground:\n${task.resume}` : ''}`,
        },
      ],
    },
    {
      name: 'study-plan',
      maxOutputTokens: 1_024,
      messages: (_, earlier) => [
        { role: 'system', content: COACH },
        {
          role: 'user',
          content: `Write a one-week study plan for the weakest of these themes:\n${earlier.themes}`,
        },
      ],
    },
  ],
  result: (outputs) =>
    `# Themes\n\n${outputs.themes}\n\n# Questions\n\n${outputs.questions}\n\n` +
    `# Study plan\n\n${outputs['study-plan']}`,
};
