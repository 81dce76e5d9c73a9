import { filesTouched } from "@residue/formats";
import type { Block, Message } from "@residue/formats/model";
import type { Deps } from "../../deps.ts";
import { CliError, EXIT } from "../../errors/cli-error.ts";
import { permalink, thisRepo } from "../remote.ts";
import { renderMessage } from "../show/render.ts";
import { commitConversations, loadCommit } from "../show/show.ts";

function touches(blocks: Block[], file: string): boolean {
  return blocks.some((b) => {
    if (b.kind !== "tool_call") return false;
    const named = filesTouched(b.input).some((p) => p === file || p.endsWith(`/${file}`));
    return named || touches(b.children?.flatMap((c) => c.blocks) ?? [], file);
  });
}

/** The turn that wrote a line: git blame finds the commit, the commit's conversation finds the edit. */
export async function runWhy(target: string, deps: Deps) {
  const match = /^(.+):(\d+)$/.exec(target);
  if (!match) throw new CliError(`'${target}' names no line`, "give a file and line, e.g. residue why src/http.ts:42", EXIT.usage);
  const [, file, line] = match as unknown as [string, string, string];
  const { ctx } = await thisRepo(deps);
  const blame = await ctx.git.run(["blame", "--porcelain", "-L", `${line},${line}`, "--", file]);
  const sha = blame.split(" ", 1)[0] ?? "";
  if (/^0+$/.test(sha)) throw new CliError(`${file}:${line} is not committed yet`, "commit it first; `residue why` follows commits");
  const { api, url, repo, detail } = await loadCommit(deps, sha);
  deps.out(
    `${file}:${line} was last changed by ${sha.slice(0, 12)}: ${detail.commit.message.split("\n")[0]}\n${permalink(url, repo, sha)}\n\n`,
  );
  const relative = file.replace(/^\.\//, "");
  for (const c of await commitConversations(api, detail, false)) {
    const edits = c.messages.filter((m) => touches(m.blocks, relative));
    const turns: Message[] = [];
    for (const edit of edits) {
      // The prompt that asked for it: the nearest user message before the edit.
      const ask = [...c.messages].reverse().find((m) => m.index < edit.index && m.role === "user");
      if (ask && !turns.includes(ask)) turns.push(ask);
      turns.push(edit);
    }
    deps.out(`━━ ${c.session.agent} session: ${c.session.title ?? "untitled"}\n`);
    if (turns.length === 0)
      deps.out(`(no tool call in this conversation names ${relative}; \`residue show ${sha.slice(0, 7)}\` prints it all)\n`);
    for (const m of turns) deps.out(renderMessage(m));
    if (edits[0]) deps.out(`${permalink(url, repo, sha, `m-${edits[0].index}`)}\n`);
  }
}
