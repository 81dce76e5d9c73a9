import { gunzipSync } from "node:zlib";
import { mapSession } from "@residue/formats";
import type { Message } from "@residue/formats/model";
import { reasonText, segment } from "@residue/formats/view";
import { type CommitDetail, CommitDetailResponse } from "@residue/protocol";
import type { Deps } from "../../deps.ts";
import type { ApiClient } from "../../upload/api-client.ts";
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

export async function commitConversations(api: ApiClient, detail: CommitDetail, all: boolean): Promise<CommitConversation[]> {
  const out: CommitConversation[] = [];
  for (const session of detail.commit.sessions) {
    const bytes = await api.sessionData(session.id);
    const text = (bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes) : Buffer.from(bytes)).toString("utf8");
    const conversation = mapSession(session.agent, text);
    // Everything the conversation had said by the time of the commit; what came after is left out.
    const upToCommit = segment(conversation.messages, null, session.position.line ?? null).current;
    out.push({ session, messages: all ? conversation.messages : upToCommit, notices: conversation.notices });
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
