// Every object a session has in R2: the whole object of the old layout and whatever lies under its prefix
// (chunks and indexes of every generation). Deleting a session, sweeping an orphan and replacing a
// generation all go through here, so no layout leaves objects behind.
import { sessionPrefix, wholeObjectKey } from "@residue/store";

/** One R2 list or delete call handles up to 1,000 keys. */
const PAGE = 1000;

/**
 * Deletes the session's objects; with `keepGeneration`, those of that generation stay (a push that started
 * it replaced the others). Lists and deletes a page at a time, so memory does not grow with the session.
 */
export async function deleteSessionObjects(bucket: R2Bucket, sessionId: string, keepGeneration?: number): Promise<void> {
  const prefix = sessionPrefix(sessionId);
  const kept = keepGeneration === undefined ? null : `${prefix}g${keepGeneration}/`;
  await bucket.delete(wholeObjectKey(sessionId));
  let cursor: string | undefined;
  do {
    const page = await bucket.list({ prefix, cursor, limit: PAGE });
    const keys = page.objects.map((o) => o.key).filter((key) => kept === null || !key.startsWith(kept));
    if (keys.length > 0) await bucket.delete(keys);
    cursor = page.truncated ? page.cursor : undefined;
  } while (cursor);
}
