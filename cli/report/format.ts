/** How figures read in the Markdown and SVG reports; `–` stands for nothing measured. */

export const NONE = '–';

/** Three significant digits at most, without trailing zeros: 4.5, 117, 2.07. */
const significant = (value: number) => String(Number(value.toPrecision(3)));

/** Milliseconds below a second, seconds below two minutes, minutes beyond. */
export function duration(ms: number | null): string {
  if (ms === null) return NONE;
  if (ms < 1_000) return `${significant(ms)} ms`;
  if (ms < 120_000) return `${significant(ms / 1_000)} s`;
  return `${significant(ms / 60_000)} min`;
}

export function percent(share: number | null): string {
  return share === null ? NONE : `${(share * 100).toFixed(1)}%`;
}

/** Up to three significant decimals: rates and concurrencies are small numbers. */
export function decimal(value: number | null): string {
  if (value === null) return NONE;
  return Number.isInteger(value) ? String(value) : significant(value);
}
