/**
 * `pnpm bench` flags. Everything runs by default; a subset is picked with flags, e.g. one row quickly:
 *   pnpm bench --only pipeline --size 1mb --clients 16
 * Lists are comma-separated or repeated.
 */
import { parseArgs } from "node:util";
import { IMAGE_SIZES, type ImageSizeName } from "./bench-images.ts";

export interface BenchOptions {
  /** Sections to run: "pipeline", "quota" and the short names of the --then packages; empty = all. */
  only: Set<string>;
  sizes: ImageSizeName[];
  clients: number[];
  durationSeconds: number;
  warmupSeconds: number;
  quotaRates: number[];
  quotaSeconds: number;
  /** Packages whose own `bench` script runs after the bench's sections, e.g. "@faceindex/face-engine". */
  then: string[];
  /** Use REDIS_URL instead of a private redis-server (then Redis's CPU is not attributed). */
  sharedRedisUrl?: string;
}

export function parseBenchOptions(args: string[], env: NodeJS.ProcessEnv): BenchOptions {
  const { values } = parseArgs({
    args,
    options: {
      only: { type: "string", multiple: true },
      size: { type: "string", multiple: true },
      clients: { type: "string", multiple: true },
      // 6 s per row: thousands of requests at the small image, hundreds at 1 MB; 2 s of warm-up lets the JIT settle.
      duration: { type: "string", default: "6" },
      warmup: { type: "string", default: "2" },
      // The quota scenario: 80/s (above the 50/s quota) and 45/s (below it), 30 s each.
      "quota-rate": { type: "string", multiple: true },
      "quota-duration": { type: "string", default: "30" },
      then: { type: "string", multiple: true },
      "shared-redis": { type: "boolean", default: false },
    },
    allowPositionals: false,
  });
  const list = (value: string[] | undefined, fallback: string[]) =>
    (value ?? fallback)
      .flatMap((item) => item.split(","))
      .map((item) => item.trim())
      .filter(Boolean);
  const sizes = list(values.size, Object.keys(IMAGE_SIZES)).map((size) => {
    if (!(size in IMAGE_SIZES)) throw new Error(`--size ${size}: one of ${Object.keys(IMAGE_SIZES).join(", ")}`);
    return size as ImageSizeName;
  });
  if (values["shared-redis"] && !env.REDIS_URL) throw new Error("--shared-redis needs REDIS_URL");
  const then = list(values.then, []);
  const sections = ["pipeline", "quota", ...then.map(sectionOfPackage)];
  const only = list(values.only, []);
  for (const section of only) {
    if (!sections.includes(section)) throw new Error(`--only ${section}: one of ${sections.join(", ")}`);
  }
  return {
    only: new Set(only),
    sizes,
    clients: list(values.clients, ["1", "16", "64"]).map((value) => positive("--clients", value, true)),
    durationSeconds: positive("--duration", values.duration, false),
    warmupSeconds: positive("--warmup", values.warmup, false, true),
    quotaRates: list(values["quota-rate"], ["80", "45"]).map((value) => positive("--quota-rate", value, false)),
    quotaSeconds: positive("--quota-duration", values["quota-duration"], false),
    then,
    ...(values["shared-redis"] ? { sharedRedisUrl: env.REDIS_URL } : {}),
  };
}

/** Whether a section runs: every section when --only is not given. */
export function runsSection(options: Pick<BenchOptions, "only">, section: string): boolean {
  return options.only.size === 0 || options.only.has(section);
}

/** "@faceindex/face-engine" -> "face-engine": how --only names a package's bench. */
export function sectionOfPackage(packageName: string): string {
  return packageName.replace(/^@[^/]+\//, "");
}

function positive(flag: string, value: string, integer: boolean, zeroAllowed = false): number {
  const parsed = Number(value);
  const valid =
    Number.isFinite(parsed) && (zeroAllowed ? parsed >= 0 : parsed > 0) && (!integer || Number.isInteger(parsed));
  if (!valid)
    throw new Error(`${flag} ${value}: must be a ${integer ? "whole " : ""}number${zeroAllowed ? " >= 0" : " > 0"}`);
  return parsed;
}
