/**
 * The Rekognition UserId of an external id (REKOGNITION_USERS=on). UserId allows [a-zA-Z0-9_.\-:] and 128
 * characters, an external id 255: ids that fit are kept readable ("e:" + id), the rest are hashed
 * ("h:" + sha256). The prefixes keep the mapping one-to-one, so two people never share a user even when
 * one chooses an id that looks like another's hash.
 */
import { createHash } from "node:crypto";

const PLAIN = /^[a-zA-Z0-9_.\-:]{1,126}$/;

export function userIdOf(externalImageId: string): string {
  return PLAIN.test(externalImageId)
    ? `e:${externalImageId}`
    : `h:${createHash("sha256").update(externalImageId).digest("hex")}`;
}
