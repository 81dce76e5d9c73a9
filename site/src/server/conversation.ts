// A session's transcript as the UI shows it: read through the API's read layer, bounded, then mapped.

import { readSessionTranscript } from "@residue/api/read/sessions";
import { mapSession } from "@residue/formats";
import { getEnv } from "./env.ts";

/**
 * How much transcript one view reads, inflated: a 128 MB isolate holds the bytes, their text, the parsed
 * lines and the mapped messages at once (several times the bytes), and may serve other requests meanwhile.
 * The raw API still streams the whole object.
 */
export const VIEW_MAX_TRANSCRIPT_BYTES = 16 * 1024 * 1024;

/** A session with its mapped conversation (null when its data was never uploaded), with a notice when cut. */
export async function loadConversation(sessionId: string) {
  const env = getEnv();
  const read = await readSessionTranscript(env.DB, env.BUCKET, sessionId, VIEW_MAX_TRANSCRIPT_BYTES);
  if (read.kind === "missing") return read;
  const { session, transcript } = read;
  if (!transcript) return { kind: "found" as const, session, conversation: null };
  const conversation = mapSession(session.agent, transcript.text);
  const mb = VIEW_MAX_TRANSCRIPT_BYTES / 1024 / 1024;
  if (transcript.truncated)
    conversation.notices.push(
      `This transcript is larger than ${mb} MB once inflated: only its first ${mb} MB are shown. The whole data is at GET /api/sessions/${session.id}.`,
    );
  if (transcript.damaged)
    conversation.notices.push("The stored data of this session is damaged (it does not inflate): only what came before is shown.");
  return { kind: "found" as const, session, conversation };
}

export type LoadedConversation = Extract<Awaited<ReturnType<typeof loadConversation>>, { kind: "found" }>;
