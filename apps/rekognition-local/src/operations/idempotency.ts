/**
 * ClientRequestToken for CreateUser, DeleteUser, AssociateFaces and DisassociateFaces: a retry with the same
 * token and the same parameters gets the first answer again (nothing is applied twice); the same token with
 * other parameters is IdempotentParameterMismatchException, as in AWS. Checked and recorded under the
 * collection's lock (inside the store's plan), so two concurrent retries cannot both apply.
 */
import { RekognitionError } from "../protocol/errors.ts";

/** Tokens remembered, oldest forgotten first: a retry comes within seconds, and this bounds memory (~a few MB). */
const MAX_TOKENS = 10_000;

export interface IdempotencyTokens {
  /** The answer recorded for this token, or undefined when it is new. Throws on a parameter mismatch. */
  replay<T>(key: IdempotencyKey): T | undefined;
  remember(key: IdempotencyKey, result: unknown): void;
}

export interface IdempotencyKey {
  operation: string;
  collectionId: string;
  token: string | undefined;
  /** Every parameter except the token: what a retry must repeat exactly. */
  parameters: unknown;
}

// Kept in memory only: a token does not survive a restart of this server (AWS does not say how long it keeps them).
export function createIdempotencyTokens(maxTokens = MAX_TOKENS): IdempotencyTokens {
  const seen = new Map<string, { parameters: string; result: unknown }>();
  const keyOf = (key: IdempotencyKey) => JSON.stringify([key.operation, key.collectionId, key.token]);
  return {
    replay<T>(key: IdempotencyKey): T | undefined {
      if (key.token === undefined) return undefined;
      const entry = seen.get(keyOf(key));
      if (!entry) return undefined;
      if (entry.parameters !== JSON.stringify(key.parameters)) {
        throw new RekognitionError(
          "IdempotentParameterMismatchException",
          `ClientRequestToken ${key.token} was already used with different parameters`,
        );
      }
      return entry.result as T;
    },
    remember(key, result) {
      if (key.token === undefined) return;
      seen.set(keyOf(key), { parameters: JSON.stringify(key.parameters), result });
      if (seen.size > maxTokens) seen.delete(seen.keys().next().value!);
    },
  };
}
