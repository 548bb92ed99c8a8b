import { describe, expect, it } from 'vitest';
import { searchAttributeFlags } from '../protocol/search-attributes.ts';
import { taskServerFlags } from './temporal-server.ts';

describe('taskServerFlags', () => {
  it('creates each namespace once, leaving out default, which always exists', () => {
    const flags = taskServerFlags('tasks', ['default', 'tests', 'tasks']);
    const namespaces = flags.filter((_, i) => flags[i - 1] === '--namespace');
    expect(namespaces).toEqual(['tasks', 'tests']);
  });

  it("registers the tasks' search attributes and turns on priority and fairness", () => {
    const flags = taskServerFlags('default');
    for (const attribute of searchAttributeFlags()) {
      expect(flags.join(' ')).toContain(`--search-attribute ${attribute}`);
    }
    expect(flags.join(' ')).toContain('--dynamic-config-value matching.useNewMatcher=true');
    expect(flags.join(' ')).toContain('--dynamic-config-value matching.enableFairness=true');
  });
});
