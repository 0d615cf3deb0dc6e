/**
 * CPU time a process has used so far (user + system, all its threads), from /proc/<pid>/stat: read before and
 * after a measured row, the difference over the requests served is the CPU cost per request of that process.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";

// Kernel clock ticks per second for utime/stime; 100 on every Linux we run, asked once in case it is not.
const CLOCK_TICKS_PER_SECOND = readClockTicks();

/** Milliseconds of CPU the process has used (its exited children not included). */
export function processCpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // The command name (field 2) is in parentheses and may hold spaces: count fields after the last ")".
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // fields[0] is field 3 (state), so utime (field 14) is fields[11] and stime (field 15) fields[12].
  const ticks = Number(fields[11]) + Number(fields[12]);
  return (ticks * 1000) / CLOCK_TICKS_PER_SECOND;
}

/** CPU milliseconds of several named processes at one moment. */
export function cpuSnapshot(pids: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, processCpuMs(pid)]));
}

/** CPU milliseconds each named process used between two snapshots. */
export function cpuSince(before: Record<string, number>, pids: Record<string, number>): Record<string, number> {
  const now = cpuSnapshot(pids);
  return Object.fromEntries(Object.keys(pids).map((name) => [name, now[name]! - (before[name] ?? 0)]));
}

function readClockTicks(): number {
  try {
    const value = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim());
    return Number.isFinite(value) && value > 0 ? value : 100;
  } catch {
    return 100;
  }
}
