// The metadata a client posts describes the transcript (size and SHA-256 of the uninflated bytes); the
// object it uploaded must hold exactly that, or the record would show one thing and store another.

import type { SessionMeta } from "@residue/protocol";
import { wholeObjectKey } from "@residue/store";
import { storedVersions } from "../db/sessions.ts";
import type { Env } from "../env.ts";
import { digestTranscript } from "./session-data.ts";

/** Why the stored object of this session disagrees with its metadata; null when it agrees or is absent. */
async function dataMismatch(env: Env, meta: SessionMeta): Promise<string | null> {
  const object = await env.BUCKET.get(wholeObjectKey(meta.id));
  // Metadata may arrive before the data (the views say it was not uploaded yet).
  if (!object) return null;
  const { size, hash } = await digestTranscript(object.body, meta.byte_size);
  if (size === meta.byte_size && hash === meta.content_hash) return null;
  const stored =
    size > meta.byte_size
      ? `more than ${meta.byte_size} bytes`
      : hash === null
        ? `damaged data (${size} bytes read)`
        : `${size} bytes, ${hash}`;
  return `session ${meta.id}: the uploaded data holds ${stored}, the metadata says ${meta.byte_size} bytes, ${meta.content_hash}`;
}

/**
 * Why each posted session's data disagrees with its metadata. Only metadata that would replace what is
 * stored with other data is checked: a replay, or an older post the upsert ignores, reads nothing.
 */
export async function dataMismatches(env: Env, sessions: SessionMeta[]): Promise<string[]> {
  const stored = await storedVersions(
    env.DB,
    sessions.map((s) => s.id),
  );
  const changed = sessions.filter((s) => {
    const version = stored.get(s.id);
    return !version || (version.content_hash !== s.content_hash && s.data_updated_at >= version.data_updated_at);
  });
  const mismatches: string[] = [];
  // One at a time: each check streams a whole object, and a Worker's memory is shared by its requests.
  for (const meta of changed) {
    const mismatch = await dataMismatch(env, meta);
    if (mismatch) mismatches.push(mismatch);
  }
  return mismatches;
}
