/**
 * The Prometheus text exposition format, version 0.0.4: the few escaping and number rules a scraper
 * holds us to. https://prometheus.io/docs/instrumenting/exposition_formats/#text-based-format
 */

/** What GET /metrics answers with; the charset because label values may hold any UTF-8. */
export const EXPOSITION_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

export type MetricType = "counter" | "gauge" | "histogram";

/** HELP text: a backslash or a line break would end or corrupt the line. */
export function escapeHelp(text: string): string {
  return text.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");
}

/** Label values are double-quoted, so the quote is escaped too. */
export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');
}

/** Go's float spelling: Prometheus parses `+Inf`, `-Inf` and `NaN`, not JavaScript's `Infinity`. */
export function formatNumber(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (value === Infinity) return "+Inf";
  if (value === -Infinity) return "-Inf";
  return String(value);
}

/** `{a="x",b="y"}`, or nothing for a series without labels. */
export function formatLabels(pairs: readonly (readonly [string, string])[]): string {
  if (pairs.length === 0) return "";
  return `{${pairs.map(([name, value]) => `${name}="${escapeLabelValue(value)}"`).join(",")}}`;
}

export function formatHeader(name: string, help: string, type: MetricType): string {
  return `# HELP ${name} ${escapeHelp(help)}\n# TYPE ${name} ${type}`;
}

export function formatSample(name: string, pairs: readonly (readonly [string, string])[], value: number): string {
  return `${name}${formatLabels(pairs)} ${formatNumber(value)}`;
}
