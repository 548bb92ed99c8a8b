/**
 * Version 1 stays readable forever: every accepted shape has a fixture here, and each must
 * still parse. A change that breaks one breaks a producer in the field.
 */
import { readdir, readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { envelopeV1Schema } from './envelope.ts';
import { getTaskInput } from './task-inputs.ts';
import { getTaskType } from './task-types.ts';

const dir = new URL('./fixtures/v1/', import.meta.url);
const names = (await readdir(dir)).filter((name) => name.endsWith('.json')).sort();

describe('envelope version 1 fixtures', () => {
  it('exist', () => {
    expect(names.length).toBeGreaterThanOrEqual(5);
  });

  it.each(names)('%s parses, and its input fits its task type', async (name) => {
    const json = JSON.parse(await readFile(new URL(name, dir), 'utf8'));
    const envelope = envelopeV1Schema.parse(json);
    expect(getTaskType(envelope.type), `task type ${envelope.type}`).toBeDefined();
    expect(getTaskInput(envelope.type)?.safeParse(envelope.input).success).toBe(true);
  });
});
