import { ServiceUnavailableError } from "../http/errors.ts";

/** Redis or the queue failed: 503 + Retry-After, never a 500 with internals. */
export async function unavailableOnError<T>(
  command: () => Promise<T>,
  message = "The job queue is unavailable; try again shortly",
): Promise<T> {
  try {
    return await command();
  } catch {
    throw new ServiceUnavailableError(message);
  }
}
