import { describe, expect, it } from 'vitest';

import { FaultQueue, FaultSpecError } from './faults.ts';

describe('FaultQueue', () => {
  it('fills in defaults and applies each fault to count requests in order', () => {
    const queue = new FaultQueue();
    queue.add([{ kind: 'server_error', count: 2 }, { kind: 'rate_limit' }]);

    expect(queue.pending()).toEqual([
      { kind: 'server_error', count: 2 },
      { kind: 'rate_limit', count: 1, retryAfterSeconds: 1 },
    ]);
    expect(queue.take('any')?.kind).toBe('server_error');
    expect(queue.take('any')?.kind).toBe('server_error');
    expect(queue.take('any')?.kind).toBe('rate_limit');
    expect(queue.take('any')).toBeUndefined();
  });

  it('applies a fault with match only to prompts containing it', () => {
    const queue = new FaultQueue();
    queue.add({ kind: 'drop', afterTokens: 3, match: 'chapter 2' });

    expect(queue.take('chapter 1')).toBeUndefined();
    expect(queue.take('write chapter 2 now')).toEqual({
      kind: 'drop',
      afterTokens: 3,
      match: 'chapter 2',
      count: 1,
    });
    expect(queue.pending()).toEqual([]);
  });

  it('lets a later fault apply while an earlier one waits for its match', () => {
    const queue = new FaultQueue();
    queue.add([{ kind: 'stall', match: 'never' }, { kind: 'bad_request' }]);
    expect(queue.take('hello')?.kind).toBe('bad_request');
    expect(queue.pending()).toHaveLength(1);
  });

  it('rejects an invalid spec with a message naming the field and queues nothing', () => {
    const queue = new FaultQueue();
    expect(() => queue.add([{ kind: 'drop' }, { kind: 'drop', afterTokens: -1 }])).toThrow(
      FaultSpecError,
    );
    expect(() => queue.add({ kind: 'drop', afterTokens: -1 })).toThrow(/afterTokens/);
    expect(() => queue.add({ kind: 'explode' } as never)).toThrow(/kind/);
    expect(() => queue.add({ kind: 'drop', afterToken: 2 } as never)).toThrow(/afterToken/);
    expect(queue.pending()).toEqual([]);
  });

  it('forgets every pending fault on clear', () => {
    const queue = new FaultQueue();
    queue.add({ kind: 'server_error', count: 5 });
    queue.clear();
    expect(queue.take('x')).toBeUndefined();
  });

  it('applies a fault only to the model it names', () => {
    const queue = new FaultQueue();
    queue.add({ kind: 'server_error', model: 'mock-large', count: 2 });
    expect(queue.take('any', 'mock-fast')).toBeUndefined();
    expect(queue.take('any', 'mock-large')?.kind).toBe('server_error');
  });
});
