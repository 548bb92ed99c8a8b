import { describe, expect, it } from 'vitest';
import { getTaskType } from '../protocol/task-types.ts';
import { modeBucket, parseRoutes, resolveRoute } from './routes.ts';

const generate = getTaskType('llm.generate')!;

describe('parseRoutes', () => {
  it('accepts the routes file the repository ships', async () => {
    const { readFile } = await import('node:fs/promises');
    const text = await readFile(new URL('../config/routes.json', import.meta.url), 'utf8');
    expect(parseRoutes(text)['llm.generate']).toMatchObject({ tier: 'light' });
  });

  it('refuses a route for a task type that does not exist', () => {
    expect(() => parseRoutes('{"routes":{"no.such":{}}}')).toThrow(/unknown task type no.such/);
  });

  it('refuses a percentage outside 0–100 and fields it does not know', () => {
    expect(() => parseRoutes('{"routes":{"llm.generate":{"inlinePercent":120}}}')).toThrow(
      /inlinePercent/,
    );
    expect(() => parseRoutes('{"routes":{"llm.generate":{"queue":"x"}}}')).toThrow(/queue/);
    expect(() => parseRoutes('routes: {}')).toThrow(/not JSON/);
  });
});

describe('resolveRoute', () => {
  it('lets the envelope choose tier and priority over the route and the type', () => {
    const routes = { 'llm.generate': { tier: 'light' as const, priority: 3 } };
    expect(resolveRoute(routes, generate, {}, 't')).toMatchObject({
      tier: 'light',
      taskQueue: 'ackflow-light',
      priority: 3,
      mode: 'durable',
    });
    expect(resolveRoute(routes, generate, { tier: 'heavy', priority: 1 }, 't')).toMatchObject({
      taskQueue: 'ackflow-heavy',
      priority: 1,
    });
  });

  it('sends the same task id down the same path every time', () => {
    const routes = { 'llm.generate': { inlinePercent: 50 } };
    for (const id of ['a', 'b', 'task-123', 'msg_xyz']) {
      const first = resolveRoute(routes, generate, {}, id).mode;
      expect(resolveRoute(routes, generate, {}, id).mode).toBe(first);
      expect(first).toBe(modeBucket(id) < 50 ? 'inline' : 'durable');
    }
  });

  it('sends about the configured share inline', () => {
    const routes = { 'llm.generate': { inlinePercent: 25 } };
    const ids = Array.from({ length: 4000 }, (_, i) => `task-${i}`);
    const inline = ids.filter((id) => resolveRoute(routes, generate, {}, id).mode === 'inline');
    expect(inline.length / ids.length).toBeGreaterThan(0.22);
    expect(inline.length / ids.length).toBeLessThan(0.28);
  });

  it('runs nothing inline at 0% and everything at 100%', () => {
    const ids = Array.from({ length: 200 }, (_, i) => `t${i}`);
    const modes = (percent: number) =>
      new Set(
        ids.map(
          (id) =>
            resolveRoute({ 'llm.generate': { inlinePercent: percent } }, generate, {}, id).mode,
        ),
      );
    expect(modes(0)).toEqual(new Set(['durable']));
    expect(modes(100)).toEqual(new Set(['inline']));
  });
});
