/** The pipeline comparison as the README shows it: one line per image size and client count, queue vs direct. */
import { markdownTable } from "../markdown-table.ts";
import type { RowResult } from "./pipeline-row.ts";

export interface ComparisonRow {
  imageBytes: number;
  bodyBytes: number;
  clients: number;
  direct: RowResult;
  queue: RowResult;
}

const HEADER = [
  "image (body)",
  "clients",
  "direct req/s",
  "queue req/s",
  "ratio",
  "p50 direct / queue ms",
  "p99 direct / queue ms",
  "CPU ms/req direct / queue",
  "queue CPU ms/req api / worker / redis",
];

export function comparisonTable(rows: readonly ComparisonRow[]): string {
  return markdownTable(
    HEADER,
    rows.map((row) => {
      const { direct, queue } = row;
      const queueCpu = ["api", "worker", "redis"].map((name) => queue.cpuMsPerRequest[name]);
      const queueTotal = queueCpu.reduce<number>((sum, ms) => sum + (ms ?? 0), 0);
      return [
        `${kb(row.imageBytes)} (${kb(row.bodyBytes)})`,
        String(row.clients),
        direct.load.okPerSecond.toFixed(0),
        queue.load.okPerSecond.toFixed(0),
        (queue.load.okPerSecond / direct.load.okPerSecond).toFixed(2),
        `${ms(direct.load.p50Ms)} / ${ms(queue.load.p50Ms)}`,
        `${ms(direct.load.p99Ms)} / ${ms(queue.load.p99Ms)}`,
        `${ms(direct.cpuMsPerRequest.direct)} / ${ms(queueTotal)}`,
        queueCpu.map((value) => (value === undefined ? "shared" : ms(value))).join(" / "),
      ];
    }),
  );
}

// Below this many answers in a row's window, one slow second moves its figures: the row is flagged.
const FEW_ANSWERS = 100;

/** What makes a row's figures suspect (other answers than 2xx, connection errors, few answers): listed under the table. */
export function comparisonProblems(rows: readonly ComparisonRow[]): string[] {
  return rows.flatMap((row) =>
    (["direct", "queue"] as const).flatMap((path) => {
      const { statuses, errors, ok } = row[path].load;
      const bad = Object.entries(statuses).filter(([status]) => !status.startsWith("2"));
      const few =
        ok < FEW_ANSWERS
          ? [`${kb(row.imageBytes)}, ${row.clients} clients, ${path}: only ${ok} answers in the window, noisy`]
          : [];
      if (bad.length === 0 && errors === 0) return few;
      const answers = bad.map(([status, count]) => `${count} x ${status}`).join(", ");
      return [
        ...few,
        `${kb(row.imageBytes)}, ${row.clients} clients, ${path}: ${answers || "no bad status"}; ${errors} connection errors`,
      ];
    }),
  );
}

/** "98 KB", "1.0 MB": decimal units, as the issue writes sizes. */
export function kb(bytes: number): string {
  return bytes >= 1_000_000 ? `${(bytes / 1_000_000).toFixed(1)} MB` : `${Math.round(bytes / 1000)} KB`;
}

/** Two significant figures below 10, whole numbers above: what a reader compares. */
function ms(value: number | undefined): string {
  if (value === undefined || Number.isNaN(value)) return "-";
  return value < 10 ? value.toFixed(1) : value.toFixed(0);
}
