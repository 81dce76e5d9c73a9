// Objects uploaded for a session whose metadata never came (a refused or abandoned push) would be kept
// forever. They are swept whenever an upload URL is granted: orphans only come from grants, so sweeping
// at that rate keeps their number bounded without a cron trigger.
import { forgetGrants, orphanedSessions } from "../db/upload-grants.ts";
import type { Env } from "../env.ts";
import { sessionObjectKey } from "./keys.ts";

export const DEFAULT_ORPHAN_GRACE_SECONDS = 24 * 3600;
/** Objects deleted per sweep: one R2 delete call takes up to 1,000 keys. */
const SWEEP_LIMIT = 100;

export function orphanGraceSeconds(env: Env): number {
  const grace = Number(env.UPLOAD_ORPHAN_GRACE_SECONDS);
  return env.UPLOAD_ORPHAN_GRACE_SECONDS !== undefined && Number.isInteger(grace) && grace >= 0 ? grace : DEFAULT_ORPHAN_GRACE_SECONDS;
}

/** Deletes objects whose session has not arrived within the grace period after its last upload URL expired. */
export async function sweepOrphans(env: Env, now: number): Promise<string[]> {
  const cutoff = now - orphanGraceSeconds(env) * 1000;
  const ids = await orphanedSessions(env.DB, cutoff, SWEEP_LIMIT);
  if (ids.length > 0) await env.BUCKET.delete(ids.map(sessionObjectKey));
  await forgetGrants(env.DB, ids, cutoff);
  return ids;
}
