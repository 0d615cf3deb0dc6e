/** The codec of a face model's rows: its encoding (face-models.ts) at its descriptor length. */
import type { FaceModel } from "../face-models.ts";
import { float32RowCodec } from "./float32-rows.ts";
import { int8RowCodec } from "./int8-rows.ts";
import { ROW_ENCODINGS, type RowCodec, type RowEncoding } from "./row-codec.ts";

export function rowCodecOf(encoding: RowEncoding, model: FaceModel): RowCodec {
  const length = model.descriptorLength;
  if (!Number.isInteger(length) || length <= 0 || length % 4 !== 0) {
    // The scoring loops are unrolled by 4 with no tail: any other length would leave its last values out.
    throw new RangeError(`face model ${model.version}: descriptor length ${length} is not a positive multiple of 4`);
  }
  // Checked, not defaulted: a snapshot header is read from disk, and a value this build does not know (a
  // newer build's encoding, or damage) must not be sized and read as float32 rows.
  if (encoding === "float32") return float32RowCodec(length);
  if (encoding === "int8") return int8RowCodec(length);
  const known = ROW_ENCODINGS.join(", ");
  throw new RangeError(`unknown row encoding ${JSON.stringify(encoding)} (this build has ${known})`);
}
