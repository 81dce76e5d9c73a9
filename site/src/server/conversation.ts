// A session's messages as the UI reads them, whatever its stored layout: segments are read by range (only
// what a page shows), one whole object ("gzip-v1") is read bounded and mapped whole, as it always was.

import { readSessionData } from "@residue/api/read/sessions";
import { r2RangeSource } from "@residue/api/storage/range-source";
import { readTranscript } from "@residue/api/storage/session-data";
import { mapSession } from "@residue/formats";
import { zeroUsage } from "@residue/formats/model";
import { type ReadStats, type SessionMessages, SessionReader, wholeMessages } from "@residue/store/reader";
import { getEnv } from "./env.ts";

/**
 * How much transcript one view of a whole-object session reads, inflated: a 128 MB isolate holds the bytes,
 * their text, the parsed lines and the mapped messages at once (several times the bytes), and may serve
 * other requests meanwhile. The raw API still streams the whole object.
 */
export const VIEW_MAX_TRANSCRIPT_BYTES = 16 * 1024 * 1024;

/** A session with its messages (null when its data was never uploaded). */
export async function loadConversation(sessionId: string) {
  const env = getEnv();
  const data = await readSessionData(env.DB, env.BUCKET, sessionId);
  if (data.kind === "missing") return data;
  const { session, object } = data;
  const { layout } = session;
  if (layout.kind !== "whole") {
    const messages: SessionMessages =
      layout.kind === "segments"
        ? new SessionReader(r2RangeSource(env.BUCKET), session.id, session.agent, layout.manifest)
        : wholeMessages({ agent: session.agent, messages: [], notices: [damagedLayout(session.id)], usage: zeroUsage() });
    return { kind: "found" as const, session, messages };
  }
  if (!object) return { kind: "found" as const, session, messages: null };
  const transcript = await readTranscript(object.body, VIEW_MAX_TRANSCRIPT_BYTES);
  const conversation = mapSession(session.agent, transcript.text);
  const mb = VIEW_MAX_TRANSCRIPT_BYTES / 1024 / 1024;
  if (transcript.truncated)
    conversation.notices.push(
      `This transcript is larger than ${mb} MB once inflated: only its first ${mb} MB are shown. The whole data is at GET /api/sessions/${session.id}.`,
    );
  if (transcript.damaged)
    conversation.notices.push("The stored data of this session is damaged (it does not inflate): only what came before is shown.");
  return { kind: "found" as const, session, messages: wholeMessages(conversation) };
}

const damagedLayout = (id: string) =>
  `The stored index of this session is damaged: its messages cannot be shown. The whole data is at GET /api/sessions/${id}.`;

export type LoadedConversation = Extract<Awaited<ReturnType<typeof loadConversation>>, { kind: "found" }>;

/**
 * A Server-Timing value of what a response read by range (R2 reads, bytes read, bytes inflated), summed over
 * its sessions: how a bench or a browser's network panel sees a view's cost without the server logging it.
 */
export function readTiming(sources: (SessionMessages | null | undefined)[]): string {
  const sum: ReadStats = { reads: 0, bytesRead: 0, inflated: 0 };
  for (const s of sources) {
    sum.reads += s?.stats.reads ?? 0;
    sum.bytesRead += s?.stats.bytesRead ?? 0;
    sum.inflated += s?.stats.inflated ?? 0;
  }
  return `r2;desc="reads=${sum.reads} read=${sum.bytesRead} inflated=${sum.inflated}"`;
}
