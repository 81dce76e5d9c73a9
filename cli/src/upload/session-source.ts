// A session's messages for `residue show` and `why`, read the way the UI reads them: a segments session
// through the server's range reads (only the index pages and segments of the messages printed), an old
// whole-object session downloaded and mapped whole, as before.
import { gunzipSync } from "node:zlib";
import { mapSession } from "@residue/formats";
import { LayoutManifest, SEGMENTS_LAYOUT } from "@residue/protocol";
import { type RangeSource, sessionPrefix } from "@residue/store";
import { type SessionMessages, SessionReader, wholeMessages } from "@residue/store/reader";
import { z } from "zod";
import type { ApiClient } from "./api-client.ts";
import { NotOnServer } from "./api-client.ts";

/** GET /api/sessions/:id/layout. */
export const SessionLayoutReply = z.object({
  id: z.string(),
  agent: z.string(),
  layout: z.string(),
  manifest: LayoutManifest.nullable(),
});

/** Objects of a session (`sessions/<id>/g<generation>/<name>`) read by HTTP range from the server. */
export function httpRangeSource(api: ApiClient, sessionId: string): RangeSource {
  return {
    async read(key, offset, length) {
      const match = /^g(\d+)\/([ci]\d+)$/.exec(key.slice(sessionPrefix(sessionId).length));
      if (!key.startsWith(sessionPrefix(sessionId)) || !match) throw new Error(`${key} is not an object of session ${sessionId}`);
      return api.sessionObject(sessionId, Number(match[1]), match[2] as string, offset, length);
    },
  };
}

export async function sessionMessages(api: ApiClient, session: { id: string; agent: string }): Promise<SessionMessages> {
  const layout = await api.sessionLayout(session.id).catch((error) => {
    // A server from before the segments layout has no such route: every session there is one object.
    if (error instanceof NotOnServer) return null;
    throw error;
  });
  if (layout?.layout === SEGMENTS_LAYOUT && layout.manifest)
    return new SessionReader(httpRangeSource(api, session.id), session.id, session.agent, layout.manifest);
  const bytes = await api.sessionData(session.id);
  const text = (bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes) : Buffer.from(bytes)).toString("utf8");
  return wholeMessages(mapSession(session.agent, text));
}
