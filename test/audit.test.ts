import { describe, expect, it } from 'vitest';
import { judgeAudit } from '../.ci/audit.mjs';

const report = (counts: Record<string, number>, vulnerabilities: object = {}) =>
  JSON.stringify({ auditReportVersion: 2, vulnerabilities, metadata: { vulnerabilities: counts } });

describe("CI's npm audit step", () => {
  it('passes with only low and moderate advisories, and says how many', () => {
    const verdict = judgeAudit(report({ info: 0, low: 2, moderate: 1, high: 0, critical: 0 }));
    expect(verdict.code).toBe(0);
    expect(verdict.lines[0]).toMatch(/no high or critical advisories \(.*low 2, moderate 1/);
  });

  it('fails on a high or critical advisory, naming the package', () => {
    const verdict = judgeAudit(
      report(
        { low: 0, moderate: 0, high: 1, critical: 1 },
        { undici: { severity: 'high' }, ws: { severity: 'critical' }, ms: { severity: 'low' } },
      ),
    );
    expect(verdict.code).toBe(1);
    expect(verdict.lines[0]).toBe('npm audit: 2 high or critical: undici (high), ws (critical)');
  });

  it('says it did not check when the advisory service is not served, and passes', () => {
    const message = '405 Method Not Allowed - POST …/advisories/bulk';
    const verdict = judgeAudit(JSON.stringify({ message, statusCode: 405 }));
    expect(verdict).toEqual({
      code: 0,
      lines: [`npm audit: not checked, the advisory service answered: ${message}`],
    });
  });

  it('fails on output it cannot read', () => {
    expect(judgeAudit('npm ERR! something else').code).toBe(1);
    expect(judgeAudit('{}').code).toBe(1);
  });
});
