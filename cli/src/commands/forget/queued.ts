// The queue as the user-control commands (forget, ignore, redact, delete) see it: sessions named the way a
// user names them, described the way a user recognises them, and taken back.
import { closeSync, openSync, readSync } from "node:fs";
import type { Deps } from "../../deps.ts";
import { CliError, EXIT } from "../../errors/cli-error.ts";
import { findSession, forgetSession } from "../../queue/sessions.ts";
import { dropSnapshot, readSnapshot } from "../../queue/snapshot.ts";
import { createRedactor } from "../../redaction/index.ts";
import type { RepoContext } from "../../repo/context.ts";
import type { LocalSession, State } from "../../state/model.ts";
import { createScanner } from "../../transcript/scan.ts";

export const FIND_IDS = "`residue status` lists the queued sessions and their ids";

/** This repo, or null outside one (commands that also work on files or the server alone). */
export async function repoHere(deps: Deps): Promise<RepoContext | null> {
  try {
    return await deps.repo();
  } catch (error) {
    if (error instanceof CliError) return null;
    throw error;
  }
}

/** A queued session by residue's id, a unique prefix of it, the agent's id or the transcript path; null if none. */
export function queuedSession(state: State, key: string): LocalSession | null {
  const exact = findSession(state, key);
  if (exact) return exact;
  const lower = key.toLowerCase();
  const matches = lower.length >= 4 ? Object.values(state.sessions).filter((s) => s.id.startsWith(lower)) : [];
  if (matches.length > 1)
    throw new CliError(
      `'${key}' is the start of ${matches.length} queued sessions (${matches.map((s) => s.id.slice(0, 12)).join(", ")})`,
      "give more of the id",
      EXIT.usage,
    );
  return matches[0] ?? null;
}

/** Enough of a transcript to find its title (the first prompt). */
const TITLE_BYTES = 1 << 20;

/** The title kept in the snapshot, else read from the transcript's start and redacted like any printed title. */
function sessionTitle(stateDir: string, s: LocalSession): string | null {
  const kept = readSnapshot(stateDir, s.id)?.meta.title;
  if (kept !== undefined) return kept;
  let fd: number | undefined;
  try {
    fd = openSync(s.data_path, "r");
    const head = Buffer.alloc(TITLE_BYTES);
    const scanner = createScanner(s.agent);
    scanner.push(head.subarray(0, readSync(fd, head, 0, TITLE_BYTES, 0)));
    const title = scanner.finish().title;
    return title === null ? null : createRedactor({ format: "text" }).redactLine(title).text;
  } catch {
    return null;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** One line that tells a session apart: id, agent, title, when. */
export function describeSession(stateDir: string, s: LocalSession): string {
  const title = sessionTitle(stateDir, s);
  const when = new Date(s.started_at).toISOString().slice(0, 16).replace("T", " ");
  return `${s.id} (${s.agent}, "${title ?? "untitled"}", started ${when} UTC)`;
}

/** Forgets these queued sessions and deletes their local copies; returns the lines that name what was dropped. */
export async function forgetQueued(ctx: RepoContext, ids: string[], now: number): Promise<{ session: LocalSession; text: string }[]> {
  const texts = new Map(ids.map((id) => [id, describeSession(ctx.stateDir, ctx.store.peek().sessions[id] as LocalSession)]));
  const dropped = await ctx.store.update((state) => ids.flatMap((id) => forgetSession(state, id, now) ?? []));
  for (const s of dropped) dropSnapshot(ctx.stateDir, s.id);
  return dropped.map((session) => ({ session, text: texts.get(session.id) ?? session.id }));
}

/** What to say about a session that was uploaded before it was forgotten: the server still has it. */
export const uploadedNote = (s: LocalSession) =>
  s.uploaded_hash === null ? "" : `  It was uploaded already: \`residue delete ${s.id}\` removes it from the server.\n`;
