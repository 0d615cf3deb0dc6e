/** rekognition-local's environment, parsed once by main.ts; nothing else reads process.env. */
import { z } from "zod";
import { logLevel, parseEnv, unsetIfEmpty } from "@faceindex/config";
import { FACE_MODELS, faceModelOfVersion, LATEST_FACE_MODEL } from "@faceindex/face-engine";

const optionalText = z
  .string()
  .optional()
  .transform((value) => (value?.trim() ? value.trim() : undefined));

/** An optional numeric variable: empty means unset; anything else must parse and pass `schema`. */
const optionalNumber = (schema: z.ZodNumber) =>
  optionalText.transform((value) => (value === undefined ? undefined : Number(value))).pipe(schema.optional());

export const configSchema = z.object({
  /** Port to listen on; 4599 sits next to the usual local AWS emulator ports without clashing. */
  REKOGNITION_PORT: z.coerce.number().int().min(0).max(65_535).default(4599),
  /** Interface to bind; loopback by default since nothing here checks signatures. */
  REKOGNITION_HOST: z.string().min(1).default("127.0.0.1"),
  /** Where collections are persisted (snapshots + journals); survives restarts. */
  REKOGNITION_DATA_DIR: z.string().min(1).default("./.data/rekognition"),
  /** "neural" runs the real face models; "load-test" returns one FAKE face per image at a fixed latency. */
  FACE_ENGINE: z.enum(["neural", "load-test"]).default("neural"),
  /** Worker threads for the neural engine (each holds ~100 MB of models); default one per core. */
  FACE_ENGINE_THREADS: optionalNumber(z.number().int().min(1).max(64)),
  /**
   * Rekognition's FaceModelVersion for collections created from now on ("7.0" or "8.0", default the latest),
   * parsed into its FaceModel; existing collections keep the model they were created with.
   */
  FACE_MODEL_VERSION: unsetIfEmpty(z.string().default(LATEST_FACE_MODEL.version)).transform((version, context) => {
    const model = faceModelOfVersion(version.trim());
    if (model) return model;
    context.addIssue({
      code: "custom",
      message: `not a face model this engine has (${FACE_MODELS.map((m) => m.version).join(", ")})`,
    });
    return z.NEVER;
  }),
  /** Delay per image in load-test mode, standing in for the neural engine's cost. */
  LOAD_TEST_LATENCY_MS: optionalNumber(z.number().int().min(0).max(60_000)),
  /** Calls per second per operation before ProvisionedThroughputExceededException, like AWS's TPS quotas; unset = unlimited. */
  REKOGNITION_TPS_LIMIT: optionalNumber(z.number().positive()),
  /** "on" opens POST /_local/faults (fault injection for tests and `pnpm chaos`); anything else keeps it shut (404). */
  REKOGNITION_FAULTS: optionalText.transform((value) => value === "on"),
  /** S3 endpoint for S3Object images (e.g. the local S3); unset = AWS's own endpoint for AWS_REGION. */
  S3_ENDPOINT: optionalText.pipe(z.string().url().optional()),
  /** Path-style addressing (needed by local S3 servers); "false" for virtual-hosted buckets. */
  S3_FORCE_PATH_STYLE: z
    .enum(["true", "false"])
    .default("true")
    .transform((value) => value === "true"),
  /** Region used in CollectionArn values and for the S3 client. */
  AWS_REGION: z.string().min(1).default("us-east-1"),
  /** pino level: fatal, error, warn, info, debug, trace or silent. */
  LOG_LEVEL: logLevel,
});

export type Config = z.infer<typeof configSchema>;

/** Parses the environment or throws one error listing every bad variable. */
export function parseConfig(env: Record<string, string | undefined>): Config {
  return parseEnv(configSchema, env, "rekognition-local");
}
