/**
 * The labelled fixture folder the evaluation reads, and its fixed split into a tuning part and a held-out
 * part. The split is by identity (never by photo, so no person is on both sides) and by a hash of the
 * identity, so it is the same on every machine and does not move when photos are added.
 */
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

export interface Label {
  identity?: string | null;
  faces: number;
}

export interface Fixture {
  /** "folder/file.jpg" */
  file: string;
  folder: string;
  label: Label;
  /** Identity for pairing; undefined for photos with no single known person (groups, no face). */
  identity?: string;
}

export type Part = "tuning" | "held-out";

/** About 30 % of identities are held out: enough probes to report, most left for tuning. */
const HELD_OUT_PER_256 = 77;

export function partOf(identity: string): Part {
  const byte = createHash("sha256").update(`faceindex-held-out:${identity}`).digest()[0]!;
  return byte < HELD_OUT_PER_256 ? "held-out" : "tuning";
}

/** dir/labels.json maps "folder/file.jpg" -> { identity?, faces }; without it, counts come from the folder name. */
export function readFixtures(dir: string): Fixture[] {
  const labelsPath = join(dir, "labels.json");
  const labels: Record<string, Label> = existsSync(labelsPath) ? JSON.parse(readFileSync(labelsPath, "utf8")) : {};
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .flatMap((d) =>
      readdirSync(join(dir, d.name))
        .filter((f) => /\.(jpe?g|png)$/i.test(f))
        .sort()
        .map((f) => `${d.name}/${f}`),
    )
    .map((file) => {
      const folder = file.split("/")[0]!;
      const base = file.split("/")[1]!.replace(/\.\w+$/, "");
      const label = labels[file] ?? {
        faces: folder === "noface" ? 0 : folder === "group" ? 2 : 1,
        identity: base.split("_")[0],
      };
      const identity = label.faces === 1 && label.identity ? label.identity : undefined;
      return { file, folder, label, identity };
    });
}
