/** The codec of a face model's rows: its encoding (face-models.ts) at its descriptor length. */
import type { FaceModel } from "../face-models.ts";
import { float32RowCodec } from "./float32-rows.ts";
import { int8RowCodec } from "./int8-rows.ts";
import type { RowCodec, RowEncoding } from "./row-codec.ts";

export function rowCodecOf(encoding: RowEncoding, model: FaceModel): RowCodec {
  const length = model.descriptorLength;
  if (!Number.isInteger(length) || length <= 0 || length % 4 !== 0) {
    // The scoring loops are unrolled by 4 with no tail: any other length would leave its last values out.
    throw new RangeError(`face model ${model.version}: descriptor length ${length} is not a positive multiple of 4`);
  }
  return encoding === "int8" ? int8RowCodec(length) : float32RowCodec(length);
}
