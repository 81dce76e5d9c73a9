// Objects uploaded for a session whose metadata never came (a refused or abandoned push) would be kept
// forever. They are swept whenever an upload URL is granted: orphans only come from grants, so sweeping
// at that rate keeps their number bounded without a cron trigger.
import { forgetGrants, orphanedSessions } from "../db/upload-grants.ts";
import type { Env } from "../env.ts";
import { deleteSessionObjects } from "./session-objects.ts";

export const DEFAULT_ORPHAN_GRACE_SECONDS = 24 * 3600;
/**
 * Sessions swept per upload URL: each costs a delete and a list (R2 subrequests), and a Free-plan request
 * may make 50 in all. Grants come at least as often as orphans, so a few per grant keep up.
 */
const SWEEP_LIMIT = 10;

export function orphanGraceSeconds(env: Env): number {
  const grace = Number(env.UPLOAD_ORPHAN_GRACE_SECONDS);
  return env.UPLOAD_ORPHAN_GRACE_SECONDS !== undefined && Number.isInteger(grace) && grace >= 0 ? grace : DEFAULT_ORPHAN_GRACE_SECONDS;
}

/** Deletes objects whose session has not arrived within the grace period after its last upload URL expired. */
export async function sweepOrphans(env: Env, now: number): Promise<string[]> {
  const cutoff = now - orphanGraceSeconds(env) * 1000;
  const ids = await orphanedSessions(env.DB, cutoff, SWEEP_LIMIT);
  // One at a time: a session in segments has a list of objects to page through.
  for (const id of ids) await deleteSessionObjects(env.BUCKET, id);
  await forgetGrants(env.DB, ids, cutoff);
  return ids;
}
