/**
 * Each task type's input schema, checked by the gateway before a task starts. Kept apart from
 * the step definitions in task-types/ on purpose: workflows import those, and the workflow
 * bundle evaluates its own modules once for every workflow a worker holds in its cache, so
 * zod there would cost every running task memory for a validation it never performs.
 */
import { z } from 'zod';

const generate = z.object({
  // Inputs over 256 KB travel through the blob store; the gateway's body limit decides.
  prompt: z.string().min(1).max(4_000_000),
  system: z.string().max(20_000).optional(),
  maxOutputTokens: z.number().int().min(1).max(1_000_000).optional(),
  /** Smaller chunks lose less to a crash and stream sooner; larger ones cost fewer calls. */
  chunkTokens: z.number().int().min(1).max(4_096).optional(),
});

const resumeTailor = z.object({
  resume: z.string().min(1).max(100_000),
  jobDescription: z.string().min(1).max(50_000),
  sections: z
    .array(z.string().min(1).max(100))
    .min(1)
    .max(12)
    .default(['Summary', 'Experience', 'Skills']),
  tone: z.enum(['neutral', 'confident', 'concise']).default('neutral'),
});

const interviewPrep = z.object({
  jobDescription: z.string().min(1).max(50_000),
  resume: z.string().max(100_000).optional(),
  questionCount: z.number().int().min(1).max(50).default(10),
});

export type GenerateInput = z.infer<typeof generate>;
export type ResumeTailorInput = z.infer<typeof resumeTailor>;
export type InterviewPrepInput = z.infer<typeof interviewPrep>;

const inputs = new Map<string, z.ZodType>([
  ['llm.generate', generate],
  ['resume.tailor', resumeTailor],
  ['interview.prep', interviewPrep],
]);

/** The input schema of a registered task type, or undefined for an unknown one. */
export function getTaskInput(type: string): z.ZodType | undefined {
  return inputs.get(type);
}
