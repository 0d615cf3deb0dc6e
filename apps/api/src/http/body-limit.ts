/** How large a request body may be: enough for the largest accepted image, as clients encode it. */
import { base64EncodedLength } from "@faceindex/common";

// Room for the data-URL prefix and the other fields.
const BODY_SLACK_BYTES = 64 * 1024;
// Room for what encoders add inside the base64 itself, which decodeImage accepts: MIME line breaks
// (an escaped "\r\n" per 76 characters is +5.3%) and escaped slashes ("\/", PHP's json_encode: +1.6%).
const BASE64_OVERHEAD = 1.1;

/** The largest request body for an image of maxImageBytes: its base64 size, as encoders write it, plus slack. */
export function bodyLimitFor(maxImageBytes: number): number {
  return Math.ceil(base64EncodedLength(maxImageBytes) * BASE64_OVERHEAD) + BODY_SLACK_BYTES;
}
