// What the /app pages read: the same D1 queries the API uses, called in-process.
import {
  type CommitCursor,
  commitFiles,
  commitsOfSession,
  findCommitsByPrefix,
  listCommits,
  uncommittedSessions,
} from "../../../api/src/db/commits.ts";
import { findRepos, listOwners, listReposOfOwner, type RepoRow } from "../../../api/src/db/repos.ts";
import { getSession } from "../../../api/src/db/sessions.ts";
import { RepoName, RepoOwner, ShaPrefix } from "../../../api/src/protocol/schemas.ts";
import { readTranscript } from "../../../api/src/storage/session-data.ts";
import { mapSession } from "../mappers/index.ts";
import { getEnv } from "./env.ts";

export type Route =
  | { kind: "org"; owner: string }
  | { kind: "repo"; repo: RepoRow }
  | { kind: "commit"; repo: RepoRow; sha: string }
  | { kind: "ambiguous"; owner: string; name: string; hosts: string[] }
  | { kind: "missing" };

/** Resolves /app/<segments>: an owner path (GitLab subgroups included), a repo, or a commit of a repo. */
export async function resolveAppPath(segments: string[], host: string | null): Promise<Route> {
  const db = getEnv().DB;
  const valid = (owner: string, name: string) => RepoOwner.safeParse(owner).success && RepoName.safeParse(name).success;
  const pick = async (owner: string, name: string) => {
    if (!valid(owner, name)) return null;
    const repos = await findRepos(db, owner, name, host ?? undefined);
    return repos;
  };
  if (segments.length >= 2) {
    const repos = await pick(segments.slice(0, -1).join("/"), segments.at(-1) as string);
    if (repos && repos.length > 1)
      return {
        kind: "ambiguous",
        owner: segments.slice(0, -1).join("/"),
        name: segments.at(-1) as string,
        hosts: repos.map((r) => r.host),
      };
    if (repos?.[0]) return { kind: "repo", repo: repos[0] };
  }
  if (segments.length >= 3 && ShaPrefix.safeParse(segments.at(-1)).success) {
    const repos = await pick(segments.slice(0, -2).join("/"), segments.at(-2) as string);
    if (repos && repos.length > 1)
      return {
        kind: "ambiguous",
        owner: segments.slice(0, -2).join("/"),
        name: segments.at(-2) as string,
        hosts: repos.map((r) => r.host),
      };
    if (repos?.[0]) return { kind: "commit", repo: repos[0], sha: (segments.at(-1) as string).toLowerCase() };
  }
  const owner = segments.join("/");
  if (RepoOwner.safeParse(owner).success && (await listReposOfOwner(db, owner)).length > 0) return { kind: "org", owner };
  return { kind: "missing" };
}

export const orgs = () => listOwners(getEnv().DB);
export const reposOf = (owner: string) => listReposOfOwner(getEnv().DB, owner);

export function commitPage(repo: RepoRow, limit: number, cursor: CommitCursor | null) {
  return listCommits(getEnv().DB, repo.id, limit, cursor);
}

export const sessionsWithoutCommits = (repo: RepoRow) => uncommittedSessions(getEnv().DB, repo.id);

export async function commitDetail(repo: RepoRow, prefix: string) {
  const db = getEnv().DB;
  const matches = await findCommitsByPrefix(db, repo.id, prefix);
  if (matches.length !== 1) return { commit: null, ambiguous: matches.length > 1 };
  const commit = matches[0] as (typeof matches)[number];
  return { commit: { ...commit, files: await commitFiles(db, repo.id, commit.sha) }, ambiguous: false };
}

export const commitsOf = (repo: RepoRow, sessionId: string) => commitsOfSession(getEnv().DB, repo.id, sessionId);

/**
 * How much transcript one view reads, inflated: a 128 MB isolate holds the bytes, their text, the parsed
 * lines and the mapped messages at once (several times the bytes), and may serve other requests meanwhile.
 * The raw API still streams the whole object.
 */
export const VIEW_MAX_TRANSCRIPT_BYTES = 16 * 1024 * 1024;

/** A session's raw data, mapped: at most VIEW_MAX_TRANSCRIPT_BYTES of it, with a notice when cut. */
export async function loadConversation(sessionId: string) {
  const env = getEnv();
  const session = await getSession(env.DB, sessionId);
  if (!session) return null;
  const object = await env.BUCKET.get(session.r2_key);
  if (!object) return { session, conversation: null };
  const { text, truncated, damaged } = await readTranscript(object.body, VIEW_MAX_TRANSCRIPT_BYTES);
  const conversation = mapSession(session.agent, text);
  const mb = VIEW_MAX_TRANSCRIPT_BYTES / 1024 / 1024;
  if (truncated)
    conversation.notices.push(
      `This transcript is larger than ${mb} MB once inflated: only its first ${mb} MB are shown. The whole data is at GET /api/sessions/${session.id}.`,
    );
  if (damaged)
    conversation.notices.push("The stored data of this session is damaged (it does not inflate): only what came before is shown.");
  return { session, conversation };
}
