/**
 * A change to a collection's users under ClientRequestToken semantics (idempotency.ts), shared by CreateUser,
 * DeleteUser, AssociateFaces and DisassociateFaces: under the collection's lock, a retry with the same token gets
 * the first answer; otherwise `plan` decides the change and its answer, which is remembered once committed.
 */
import { collectionNotFound } from "../protocol/errors.ts";
import type { UserChange } from "../store/collection-files.ts";
import type { Collection } from "../store/collection.ts";
import type { OperationContext } from "./context.ts";
import type { IdempotencyKey } from "./idempotency.ts";

export async function changeUsersOnce<Result>(
  { store, tokens }: Pick<OperationContext, "store" | "tokens">,
  key: IdempotencyKey,
  plan: (collection: Collection) => { change?: UserChange; result: Result },
): Promise<Result> {
  const result = await store.changeUsers(key.collectionId, (collection) => {
    const replayed = tokens.replay<Result>(key);
    if (replayed) return { result: replayed };
    const planned = plan(collection);
    return { ...planned, committed: () => tokens.remember(key, planned.result) };
  });
  if (result === undefined) throw collectionNotFound(key.collectionId);
  return result;
}
