// `npm audit` for CI: fails on high or critical advisories. Where the registry does not serve
// its advisory service (a mirror answering 405, no network), it says so in one line and
// passes, since that is no finding about the code; every other failure fails the run.
import { execFile } from 'node:child_process';
import { pathToFileURL } from 'node:url';

/** The verdict on `npm audit --json` output: exit code and the lines to print. */
export function judgeAudit(json) {
  let report;
  try {
    report = JSON.parse(json);
  } catch {
    return { code: 1, lines: ['npm audit: unreadable output', json.slice(0, 400)] };
  }
  const counts = report.metadata?.vulnerabilities;
  if (!counts) {
    if (typeof report.statusCode === 'number' || report.error) {
      const why = report.message ?? `status ${report.statusCode}`;
      return { code: 0, lines: [`npm audit: not checked, the advisory service answered: ${why}`] };
    }
    return { code: 1, lines: ['npm audit: no vulnerability counts in its output'] };
  }
  const serious = (counts.high ?? 0) + (counts.critical ?? 0);
  const names = Object.entries(report.vulnerabilities ?? {})
    .filter(([, v]) => v.severity === 'high' || v.severity === 'critical')
    .map(([name, v]) => `${name} (${v.severity})`);
  const summary = Object.entries(counts)
    .map(([level, n]) => `${level} ${n}`)
    .join(', ');
  return serious > 0
    ? { code: 1, lines: [`npm audit: ${serious} high or critical: ${names.join(', ')}`] }
    : { code: 0, lines: [`npm audit: no high or critical advisories (${summary})`] };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  execFile('npm', ['audit', '--json'], { maxBuffer: 64 * 2 ** 20 }, (_error, stdout) => {
    const { code, lines } = judgeAudit(stdout);
    for (const line of lines) console.log(line);
    process.exit(code);
  });
}
