// `residue delete <session|commit>`: removes conversations from the server, after saying exactly which (and,
// for a commit, which other commits each is linked to as well), and forgets them here so no push sends them again.
import type { Deps } from "../../deps.ts";
import { CliError, EXIT } from "../../errors/cli-error.ts";
import type { RepoContext } from "../../repo/context.ts";
import type { LocalSession } from "../../state/model.ts";
import { type ApiClient, NotOnServer } from "../../upload/api-client.ts";
import { repoIdentity } from "../../upload/sync.ts";
import { describeSession, forgetQueued, queuedSession, repoHere } from "../forget/queued.ts";

export interface DeleteOptions {
  yes?: boolean;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Pages of the repo's commits read to find where else a session is linked (100 commits each). */
const MAX_PAGES = 20;

async function confirm(question: string, opts: DeleteOptions, deps: Deps) {
  if (opts.yes) return;
  if (!deps.stdinIsTTY)
    throw new CliError(
      "deleting from the server needs a confirmation, and there is no terminal to ask",
      "add --yes to confirm",
      EXIT.usage,
    );
  const answer = (await deps.ask(`${question} Type y to confirm: `)).trim().toLowerCase();
  if (answer !== "y" && answer !== "yes") throw new CliError("cancelled; nothing was deleted", "run it again and answer y to delete");
}

/**
 * Deletes on the server and forgets it here; returns what to say about it. The server is asked even for a
 * session this clone never uploaded: another clone of the same queue may have.
 */
async function deleteOne(client: ApiClient, ctx: RepoContext | null, id: string, local: LocalSession | null, now: number) {
  let where = "deleted from the server";
  try {
    await client.deleteSession(id);
  } catch (error) {
    // Only a session known here may be missing there: a typo'd id must still fail loudly.
    if (!(error instanceof NotOnServer && local)) throw error;
    where = "not on the server";
  }
  if (ctx && local) await forgetQueued(ctx, [local.id], now);
  return `${id}: ${where}${local ? "; forgotten here, so no push sends it again" : ""}`;
}

const short = (sha: string) => sha.slice(0, 12);
const firstLine = (message: string) => message.split("\n", 1)[0] ?? "";

async function deleteSession(key: string, ctx: RepoContext | null, opts: DeleteOptions, deps: Deps) {
  const local = ctx ? queuedSession(ctx.store.peek(), key) : null;
  if (!local && !UUID.test(key))
    throw new CliError(
      `'${key}' is neither a commit here nor a queued session`,
      "give the session's full id (the permalink, `residue show <commit>` or `residue status` print it) or a commit",
      EXIT.usage,
    );
  const id = local?.id ?? key.toLowerCase();
  const { client, url } = deps.api();
  deps.out(`Session ${ctx && local ? describeSession(ctx.stateDir, local) : id}\n`);
  await confirm(`Delete it from ${url}?`, opts, deps);
  deps.out(`${await deleteOne(client, ctx, id, local, deps.now())}\n`);
}

/** For each session, the repo's other commits it is linked to (from the newest MAX_PAGES pages of commits). */
async function otherCommits(client: ApiClient, repo: Awaited<ReturnType<typeof repoIdentity>>, ids: Set<string>, sha: string) {
  const others = new Map<string, string[]>([...ids].map((id) => [id, []]));
  let cursor: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const reply = await client.repoCommits(repo, cursor);
    for (const c of reply.commits) {
      if (c.sha === sha) continue;
      for (const s of c.sessions) others.get(s.id)?.push(`${short(c.sha)} ${firstLine(c.message)}`);
    }
    if (!reply.next_cursor) return { others, complete: true };
    cursor = reply.next_cursor;
  }
  return { others, complete: false };
}

async function deleteCommitSessions(rev: string, ctx: RepoContext, opts: DeleteOptions, deps: Deps) {
  const repo = await repoIdentity(ctx);
  const { client, url } = deps.api();
  const sha = (await ctx.git.tryRun(["rev-parse", "--verify", "--quiet", `${rev}^{commit}`]))?.trim() || rev.toLowerCase();
  const detail = await client.commit(repo.owner, repo.name, sha, repo.host);
  const commit = detail.commit;
  const sessions = commit.sessions;
  deps.out(`Commit ${short(commit.sha)} ${firstLine(commit.message)}\n`);
  if (sessions.length === 0) return deps.out("No conversation is linked to it on the server; nothing to delete.\n");
  const { others, complete } = await otherCommits(client, repo, new Set(sessions.map((s) => s.id)), commit.sha);
  deps.out(`${sessions.length} conversation(s) linked; each is deleted whole, from every commit it is linked to:\n`);
  for (const s of sessions) {
    deps.out(`  ${s.id} (${s.agent}, "${s.title ?? "untitled"}", ${s.message_count} messages)\n`);
    const also = others.get(s.id) ?? [];
    deps.out(also.length ? `    also linked to: ${also.join("; ")}\n` : "    linked to no other commit\n");
  }
  if (!complete) deps.out(`  (other links searched in the newest ${MAX_PAGES * 100} commits)\n`);
  await confirm(`Delete ${sessions.length} conversation(s) from ${url}?`, opts, deps);
  for (const s of sessions) {
    const local = queuedSession(ctx.store.peek(), s.id);
    deps.out(`${await deleteOne(client, ctx, s.id, local, deps.now())}\n`);
  }
}

export async function runDelete(target: string, opts: DeleteOptions, deps: Deps) {
  const ctx = await repoHere(deps);
  if (UUID.test(target) || (ctx && queuedSession(ctx.store.peek(), target))) return deleteSession(target, ctx, opts, deps);
  if (!ctx) return deleteSession(target, ctx, opts, deps);
  const isCommit = (await ctx.git.tryRun(["rev-parse", "--verify", "--quiet", `${target}^{commit}`]))?.trim();
  // A SHA prefix from elsewhere (not in this clone) is the server's to resolve.
  if (isCommit || /^[0-9a-f]{7,40}$/i.test(target)) return deleteCommitSessions(target, ctx, opts, deps);
  return deleteSession(target, ctx, opts, deps);
}
