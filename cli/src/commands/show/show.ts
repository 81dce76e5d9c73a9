import type { Message } from "@residue/formats/model";
import { reasonText } from "@residue/formats/view";
import { type CommitDetail, CommitDetailResponse } from "@residue/protocol";
import type { Deps } from "../../deps.ts";
import type { ApiClient } from "../../upload/api-client.ts";
import { sessionMessages } from "../../upload/session-source.ts";
import { fullSha, permalink, thisRepo } from "../remote.ts";
import { renderMessage } from "./render.ts";

export interface ShowOptions {
  all?: boolean;
  json?: boolean;
}

export interface CommitConversation {
  session: CommitDetail["commit"]["sessions"][number];
  /** The messages that led to the commit (or all of them). */
  messages: Message[];
  notices: string[];
}

/** Messages printed are read this many at a time: a window's bounds hold however long the session is. */
const WINDOW = 200;

export async function commitConversations(api: ApiClient, detail: CommitDetail, all: boolean): Promise<CommitConversation[]> {
  const out: CommitConversation[] = [];
  for (const session of detail.commit.sessions) {
    const source = await sessionMessages(api, session);
    // Everything the conversation had said by the time of the commit; what came after is left out.
    const position = session.position.line ?? null;
    const count = all || position === null ? source.total : await source.countThrough(position);
    const messages: Message[] = [];
    const notices = [...source.notices];
    for (let from = 0; from < count; from += WINDOW) {
      const window = await source.window(from, Math.min(count, from + WINDOW) - 1);
      messages.push(...window.messages);
      notices.push(...window.notices);
    }
    out.push({ session, messages, notices: [...new Set(notices)] });
  }
  return out;
}

export async function loadCommit(deps: Deps, rev: string) {
  const { repo } = await thisRepo(deps);
  const { client: api, url } = deps.api();
  const sha = await fullSha(deps, rev);
  const detail = CommitDetailResponse.parse(await api.commit(repo.owner, repo.name, sha, repo.host));
  return { api, url, repo, detail };
}

export async function runShow(rev: string, opts: ShowOptions, deps: Deps) {
  const { api, url, repo, detail } = await loadCommit(deps, rev);
  const conversations = await commitConversations(api, detail, opts.all ?? false);
  if (opts.json) {
    deps.out(`${JSON.stringify({ commit: detail.commit, conversations }, null, 2)}\n`);
    return;
  }
  deps.out(`commit ${detail.commit.sha}\n${detail.commit.message}\n${permalink(url, repo, detail.commit.sha)}\n\n`);
  if (conversations.length === 0) deps.out("No conversation is linked to this commit.\n");
  for (const c of conversations) {
    deps.out(`━━ ${c.session.agent} session ${c.session.id}: ${c.session.title ?? "untitled"}\n`);
    const why = reasonText(c.session.reason);
    if (why) deps.out(`   linked: ${why}\n`);
    for (const n of c.notices) deps.out(`[${n}]\n`);
    let fold: string | undefined;
    for (const m of c.messages) {
      // Kept but out of the way on the page (e.g. the conversation before a compaction): labelled here.
      if (m.fold !== fold) deps.out(m.fold ? `┈┈ ${m.fold} ┈┈\n` : "┈┈ end of folded section ┈┈\n");
      fold = m.fold;
      deps.out(renderMessage(m));
    }
    deps.out("\n");
  }
}
