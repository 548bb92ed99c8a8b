/**
 * `resume.tailor`: fit a résumé to a job description. Extract what the job asks for, match
 * it against the résumé, then rewrite the résumé section by section, each rewrite seeing the
 * requirements and the match.
 */
import type { ResumeTailorInput } from '../task-inputs.ts';
import type { TaskTypeDefinition } from '../task-types.ts';

const EDITOR = 'You are an experienced technical recruiter and résumé editor. Never invent facts.';

export const resumeTailor: TaskTypeDefinition<ResumeTailorInput> = {
  type: 'resume.tailor',
  description: 'Tailor a résumé to a job description, section by section.',
  tier: 'heavy',
  model: 'mock-large',
  fallbackModels: ['mock-fast'],
  mode: 'durable',
  chunkTokens: 256,
  steps: (task) => [
    {
      name: 'requirements',
      maxOutputTokens: 1_024,
      messages: () => [
        { role: 'system', content: EDITOR },
        {
          role: 'user',
          content: `List the requirements of this job, most important first:\n\n${task.jobDescription}`,
        },
      ],
    },
    {
      name: 'match',
      maxOutputTokens: 2_048,
      messages: (_, earlier) => [
        { role: 'system', content: EDITOR },
        {
          role: 'user',
          content:
            `Requirements:\n${earlier.requirements}\n\nRésumé:\n${task.resume}\n\n` +
            'For each requirement, quote the résumé evidence that meets it, or say it is missing.',
        },
      ],
    },
    ...task.sections.map((section) => ({
      name: `rewrite:${section}`,
      maxOutputTokens: 2_048,
      messages: (_: ResumeTailorInput, earlier: Readonly<Record<string, string>>) => [
        { role: 'system' as const, content: EDITOR },
        {
          role: 'user' as const,
          content:
            `Rewrite the "${section}" section of this résumé in a ${task.tone} tone, putting ` +
            `first what the job needs.\n\nRequirements:\n${earlier.requirements}\n\n` +
            `Evidence:\n${earlier.match}\n\nRésumé:\n${task.resume}`,
        },
      ],
    })),
  ],
  result: (outputs) =>
    Object.entries(outputs)
      .filter(([name]) => name.startsWith('rewrite:'))
      .map(([name, text]) => `## ${name.slice('rewrite:'.length)}\n\n${text}`)
      .join('\n\n'),
};
