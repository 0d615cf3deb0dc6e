/** Prints one part's per-condition figures as a markdown table (pasted into README.md as it is). */
import { DEFAULT_FACE_MATCH_THRESHOLD as AT } from "../../src/index.ts";
import type { ConditionScores } from "./hard-evaluation.ts";
import { fnirAtFpir, pct, rank1, tarAtFar } from "./metrics.ts";

export function pooled(name: string, all: ConditionScores[]): ConditionScores {
  const cat = <K extends keyof ConditionScores>(k: K): ConditionScores[K] =>
    all.flatMap((s) => s[k] as unknown[]) as ConditionScores[K];
  return {
    condition: name,
    part: all[0]!.part,
    probes: all.reduce((n, s) => n + s.probes, 0),
    detected: all.reduce((n, s) => n + s.detected, 0),
    genuine: cat("genuine"),
    impostors: cat("impostors"),
    mated: cat("mated"),
    nonMated: cat("nonMated"),
    genuineDistances: cat("genuineDistances"),
    impostorDistances: cat("impostorDistances"),
  };
}

const HEADER =
  `| condition | probes | detected | TAR @FAR 0.1% | TAR @FAR 0.01% | rank-1 | FNIR @FPIR 1% | genuine missed @${AT} | false match @${AT} |\n` +
  "| --- | --: | --: | --: | --: | --: | --: | --: | --: |";

export function row(s: ConditionScores): string {
  const missed = s.genuine.filter((g) => g < AT).length;
  const falseMatches = s.impostors.filter((i) => i >= AT).length;
  return [
    s.condition,
    s.probes,
    pct(s.detected / s.probes),
    pct(tarAtFar(s.genuine, s.impostors, 0.001)),
    pct(tarAtFar(s.genuine, s.impostors, 0.0001)),
    pct(rank1(s.mated)),
    pct(fnirAtFpir(s.mated, s.nonMated, 0.01)),
    `${pct(missed / s.genuine.length)} (${missed}/${s.genuine.length})`,
    `${pct(falseMatches / s.impostors.length, 2)} (${falseMatches}/${s.impostors.length})`,
  ].join(" | ");
}

export function printTable(rows: ConditionScores[]): void {
  console.log(HEADER);
  for (const s of rows) console.log(`| ${row(s)} |`);
}
