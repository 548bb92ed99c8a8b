import { describe, expect, it } from 'vitest';
import { parseSince, redriveQuery } from './redrive.ts';

describe('redriveQuery', () => {
  const window = { from: new Date('2026-12-01T00:00:00Z'), to: new Date('2026-12-02T00:00:00Z') };

  it('selects task workflows by status, window and filters', () => {
    const query = redriveQuery({
      ...window,
      statuses: ['failed', 'timed_out'],
      type: 'resume.tailor',
      errorCode: 'llm_unavailable',
      tenant: 'acme',
    });
    expect(query).toBe(
      'WorkflowType = "taskWorkflow" AND ExecutionStatus IN ("Failed", "TimedOut") AND ' +
        'CloseTime >= "2026-12-01T00:00:00.000Z" AND CloseTime <= "2026-12-02T00:00:00.000Z" AND ' +
        'TaskType = "resume.tailor" AND ErrorCode = "llm_unavailable" AND TenantId = "acme"',
    );
  });

  it('escapes quotes, so a filter value cannot change the query', () => {
    const query = redriveQuery({ ...window, statuses: ['failed'], tenant: 'a" OR "1"="1' });
    expect(query).toContain('TenantId = "a\\" OR \\"1\\"=\\"1"');
  });

  it('refuses a status it does not know', () => {
    expect(() => redriveQuery({ ...window, statuses: ['completed'] })).toThrow(/unknown status/);
  });
});

describe('parseSince', () => {
  it('reads seconds, minutes, hours and days', () => {
    expect(parseSince('90s')).toBe(90_000);
    expect(parseSince('30m')).toBe(1_800_000);
    expect(parseSince('24h')).toBe(86_400_000);
    expect(parseSince('7d')).toBe(604_800_000);
    expect(() => parseSince('yesterday')).toThrow(/--since/);
  });
});
