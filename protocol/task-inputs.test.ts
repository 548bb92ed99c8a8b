import { describe, expect, it } from 'vitest';
import { getTaskInput } from './task-inputs.ts';
import { listTaskTypes } from './task-types.ts';

describe('task input schemas', () => {
  it('exist for every registered task type, and for no other', () => {
    for (const { type } of listTaskTypes()) expect(getTaskInput(type), type).toBeDefined();
    expect(getTaskInput('llm.unknown')).toBeUndefined();
  });

  it('fill in the defaults the steps rely on', () => {
    const tailored = getTaskInput('resume.tailor')?.parse({ resume: 'r', jobDescription: 'j' });
    expect(tailored).toEqual({
      resume: 'r',
      jobDescription: 'j',
      sections: ['Summary', 'Experience', 'Skills'],
      tone: 'neutral',
    });
    expect(getTaskInput('interview.prep')?.parse({ jobDescription: 'j' })).toMatchObject({
      questionCount: 10,
    });
  });
});
