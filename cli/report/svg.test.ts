import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readLogSource } from './logs.ts';
import { buildReport, type Report } from './report.ts';
import { renderSvg } from './svg.ts';
import { spanOf } from './window.ts';

const STEADY_LOG = fileURLToPath(
  new URL('../../test/fixtures/report/steady.jsonl', import.meta.url),
);

/**
 * Well-formed XML, checked without a parser dependency: every tag closes in order, every
 * attribute is quoted, and text holds no bare `<` or `&`.
 */
function assertWellFormed(xml: string): void {
  const body = xml.replace(/^<\?xml[^?]*\?>\s*/, '');
  const open: string[] = [];
  let rest = body;
  const tag = /^<(\/?)([A-Za-z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>/;
  while (rest.length > 0) {
    const next = rest.indexOf('<');
    const text = next < 0 ? rest : rest.slice(0, next);
    expect(text).not.toMatch(/&(?!(amp|lt|gt|quot|apos);)/);
    if (next < 0) break;
    const match = tag.exec(rest.slice(next));
    if (!match) throw new Error(`malformed tag at: ${rest.slice(next, next + 60)}`);
    const [whole, closing, name, , selfClosing] = match;
    if (closing) expect(open.pop()).toBe(name);
    else if (!selfClosing) open.push(name as string);
    rest = rest.slice(next + whole.length);
    if (open.length === 0) expect(rest.trim()).toBe('');
  }
  expect(open).toEqual([]);
}

async function steadyReport(): Promise<Report> {
  const records = await readLogSource(STEADY_LOG);
  return buildReport({ records, window: spanOf(records)!, windowSource: 'test' });
}

describe('the SVG chart', () => {
  it('is well-formed XML with a labelled bar per curve and percentile', async () => {
    const svg = renderSvg(await steadyReport());

    assertWellFormed(svg);
    expect(svg).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<svg xmlns=/);
    for (const curve of ['queue wait', 'ACK time', 'execution time']) {
      expect(svg).toContain(`>${curve}</text>`);
    }
    for (const value of ['500 ms', '900 ms', '1 s', '5 ms', '10 ms', '5 s', '10 s']) {
      expect(svg).toContain(`>${value}</text>`);
    }
    expect(svg.match(/<rect class="bar"/g)).toHaveLength(9);
  });

  it('stays well-formed with nothing measured', () => {
    const records = { lines: 0, deliveries: [], started: [], finished: [] };
    const skipped = { notJson: 0, otherMessage: 0, unusable: 0 };
    const report = buildReport({
      records: { ...records, skipped },
      window: { from: 0, to: 1000 },
      windowSource: 'test',
    });
    const svg = renderSvg(report);

    assertWellFormed(svg);
    expect(svg.match(/>–<\/text>/g)).toHaveLength(9);
  });

  it('checks what it claims to check', () => {
    expect(() => assertWellFormed('<svg><g></svg>')).toThrow();
    expect(() => assertWellFormed('<svg><text>a & b</text></svg>')).toThrow();
  });
});
