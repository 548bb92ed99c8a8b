import { describe, expect, it } from 'vitest';
import { InvalidEnvelope, parseTask } from './envelope.ts';

const valid = { version: 1, type: 'llm.generate', input: { prompt: 'hello' } };

function codeOf(body: string, messageId?: string) {
  try {
    parseTask(body, messageId);
  } catch (error) {
    if (error instanceof InvalidEnvelope) return error.code;
    throw error;
  }
  return 'accepted';
}

describe('parseTask', () => {
  it('takes the task id from the envelope, else from the QStash message id', () => {
    expect(parseTask(JSON.stringify({ ...valid, taskId: 't-1' }), 'msg_1').taskId).toBe('t-1');
    expect(parseTask(JSON.stringify(valid), 'msg_1').taskId).toBe('msg_1');
  });

  it('ignores unknown fields so producers can move first', () => {
    const parsed = parseTask(
      JSON.stringify({ ...valid, taskId: 't', future: { x: 1 } }),
      undefined,
    );
    expect(parsed.envelope).not.toHaveProperty('future');
  });

  it('names each way a body can never become a task', () => {
    expect(codeOf('{not json')).toBe('malformed_json');
    expect(codeOf(JSON.stringify({ ...valid, version: 2 }), 'm')).toBe('unsupported_version');
    expect(codeOf(JSON.stringify({ ...valid, version: 'one' }), 'm')).toBe('invalid_envelope');
    expect(codeOf(JSON.stringify({ ...valid, type: 'no.such' }), 'm')).toBe('unknown_task_type');
    expect(codeOf(JSON.stringify({ ...valid, input: { prompt: '' } }), 'm')).toBe('invalid_input');
    expect(codeOf(JSON.stringify(valid))).toBe('missing_task_id');
    expect(codeOf(JSON.stringify({ ...valid, taskId: 'has space' }))).toBe('invalid_envelope');
  });
});
