/** Face photos for tests (public domain; see fixtures/faces/README.md for each file's source and licence). */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const facesDir = fileURLToPath(new URL("../fixtures/faces/", import.meta.url));

/** Path of a fixture, e.g. facePhotoPath("same/obama_1.jpg"). */
export function facePhotoPath(name: string): string {
  return facesDir + name;
}

/** Bytes of a fixture, e.g. facePhoto("people/B001232.jpg"). */
export function facePhoto(name: string): Buffer {
  return readFileSync(facePhotoPath(name));
}
