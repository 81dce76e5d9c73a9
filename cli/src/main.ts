#!/usr/bin/env node
// The residue CLI: wires commands to commander. Each command lives in commands/<name>/ as options + run.
import { Command, InvalidArgumentError } from "@commander-js/extra-typings";
import { AGENT_NAMES, AGENT_SPECS, HOOK_AGENTS, nameList } from "./agents/index.ts";
import { runCapture } from "./commands/capture/capture.ts";
import { runDelete } from "./commands/delete/delete.ts";
import { runDismiss } from "./commands/dismiss/dismiss.ts";
import { runDoctor } from "./commands/doctor/doctor.ts";
import { runForget } from "./commands/forget/forget.ts";
import { runHook } from "./commands/hook/hook.ts";
import { runIgnore } from "./commands/ignore/ignore.ts";
import { runInit, runUninstall } from "./commands/init/init.ts";
import { runLink, runUnlink } from "./commands/link/link.ts";
import { runLogin } from "./commands/login/login.ts";
import { runOpen } from "./commands/open/open.ts";
import { runRedact } from "./commands/redact/redact.ts";
import { runSearch } from "./commands/search/search.ts";
import { runSessionEnd, runSessionStart } from "./commands/session/session.ts";
import { runSetup } from "./commands/setup/setup.ts";
import { runShow } from "./commands/show/show.ts";
import { runStatus } from "./commands/status/status.ts";
import { runPush, runSyncHook } from "./commands/sync/sync.ts";
import { runUpgrade } from "./commands/upgrade/upgrade.ts";
import { runWhy } from "./commands/why/why.ts";
import { type Deps, processDeps } from "./deps.ts";
import { EXIT, failureReport } from "./errors/cli-error.ts";
import { VERSION } from "./version.ts";

const positiveInt = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 32) throw new InvalidArgumentError("must be a whole number from 1 to 32");
  return n;
};

export function buildProgram(deps: Deps, setExit: (code: number) => void) {
  const program = new Command()
    .name("residue")
    .version(VERSION)
    .description("Capture AI coding-agent conversations and link them to the git commits they produced.")
    .addHelpText(
      "after",
      `
Getting started:
  $ residue login --url http://127.0.0.1:8787   # once per machine; asks for the token
  $ residue init                                              # once per repo: installs git hooks
  $ residue setup claude-code                                 # connect your agent
  ... work with the agent, commit as usual, git push uploads the conversations.`,
    )
    .configureOutput({ writeOut: deps.out, writeErr: deps.err })
    // Set before the commands are added, so they inherit it: usage errors come back to main as one exit code.
    .exitOverride();

  program
    .command("login")
    .description("Save the server URL and API token to ~/.residue/config (checked against the server first)")
    .requiredOption("--url <url>", "the residue server, e.g. http://127.0.0.1:8787")
    .option("--token-stdin", "read the API token from stdin (recommended)")
    .option("--token <token>", "the API token (AUTH_TOKEN); `-` reads it from stdin. Visible to other users in the process list")
    .addHelpText(
      "after",
      "\nWithout --token or --token-stdin, residue asks for the token in the terminal (not echoed).\nPrefer stdin or the prompt: a token on the command line shows in `ps` and shell history.\n\nExamples:\n  $ residue login --url http://127.0.0.1:8787                      # asks for the token\n  $ residue login --url http://127.0.0.1:8787 --token-stdin < token.txt\nRESIDUE_URL and RESIDUE_TOKEN override the saved values.",
    )
    .action((o) => runLogin(o, deps));

  program
    .command("init")
    .description("Install residue's git hooks in this repo (post-commit, pre-push, post-rewrite)")
    .addHelpText(
      "after",
      "\nExisting hooks are kept and chained; core.hooksPath (husky, lefthook) and linked worktrees are respected.\nRunning it again is harmless. `residue uninstall` removes exactly what it added.",
    )
    .action(() => runInit({}, deps));

  program
    .command("uninstall")
    .description("Remove residue's git hooks from this repo, restoring any hook it chained")
    .action(() => runUninstall({}, deps));

  program
    .command("setup")
    .description("Wire an agent into this repo so its sessions are captured (no argument: list the agents found)")
    .argument("[agent]", nameList(AGENT_NAMES))
    .addHelpText(
      "after",
      `
Files a team commits get a command that runs \`residue\` from PATH and does nothing, silently, on a
machine where residue is not installed: a teammate without it is never in the way. When residue is not
on PATH here, Claude Code also gets this machine's path in .claude/settings.local.json (git-ignored);
for the other agents, put residue on PATH. setup says, for each file, whether git commits it or keeps
it local.

Examples:
  $ residue setup              # which agents are used here?
${AGENT_NAMES.map((a) => `  $ residue setup ${a.padEnd(12)} # ${AGENT_SPECS[a].setup.writes}`).join("\n")}`,
    )
    .action((agent) => runSetup(agent, deps));

  program
    .command("hook")
    .description("What an agent's hook runs: reads the event JSON on stdin, prints nothing, always exits 0")
    .argument("<agent>", nameList(HOOK_AGENTS))
    .action(async (agent) => setExit(await runHook(agent, deps)));

  const session = program.command("session").description("Tell residue an agent session started or ended (agent adapters call this)");
  session
    .command("start")
    .description("Queue a session (prints its id); the same transcript path reopens the same session")
    .requiredOption("--agent <agent>", nameList(AGENT_NAMES))
    .requiredOption("--data <path>", "the agent's transcript file")
    .option("--id <id>", "the agent's own session id")
    .option("--cwd <dir>", "the directory the agent works in (default: the current one)")
    .option("--agent-version <version>", "the agent's version")
    .addHelpText("after", "\nExample:\n  $ residue session start --agent pi --data ~/.pi/agent/sessions/--repo--/2026-…jsonl")
    .action((o) => runSessionStart(o, deps).then(() => undefined));
  session
    .command("end")
    .description("Mark a queued session ended and keep a compressed copy of its transcript")
    .requiredOption("--id <id>", "residue's id, the agent's id or the transcript path")
    .option("--cwd <dir>", "the directory the agent worked in")
    .action((o) => runSessionEnd(o, deps).then(() => undefined));

  program
    .command("capture")
    .description("Link every pending session to HEAD (the post-commit hook does this without running residue)")
    .action(() => runCapture({}, deps).then(() => undefined));

  program
    .command("sync")
    .description("Upload queued sessions and commit links (the pre-push hook runs `residue sync --hook`)")
    .option(
      "--hook",
      "hook mode: always exit 0 within RESIDUE_HOOK_TIMEOUT seconds (default 20), one short line at most, details in .residue/log",
    )
    .option("--no-uncommitted", "only upload sessions linked to a commit")
    .option("--concurrency <n>", "parallel uploads", positiveInt)
    .action(async (o) => {
      if (o.hook) setExit(await runSyncHook(o, deps));
      else await runPush(o, deps);
    });

  program
    .command("push")
    .description("Upload queued sessions now, with progress and a summary")
    .option("--json", "print the summary as JSON")
    .option("--no-uncommitted", "only upload sessions linked to a commit")
    .option("--concurrency <n>", "parallel uploads", positiveInt)
    .action((o) => runPush(o, deps).then(() => undefined));

  program
    .command("status")
    .description("Show what is queued here, the login target and hook health")
    .option("--json", "machine-readable output")
    .addHelpText(
      "after",
      "\nSession data waits in .residue/snapshots until the server confirms holding it, and is freed then.\nRESIDUE_SNAPSHOT_CAP (default 1G; sizes such as 512M or 2G) is how much may wait before status and\ndoctor warn, naming the sessions that hold it. Nothing unconfirmed is ever deleted: `residue push` sends it.\n\nExamples:\n  $ residue status\n  $ RESIDUE_SNAPSHOT_CAP=512M residue status    # warn past 512 MiB kept\n  $ residue status --json | jq .snapshots        # bytes kept, the cap, per session",
    )
    .action((o) => runStatus(o, deps).then(() => undefined));

  program
    .command("search")
    .description("Search every stored conversation and commit message")
    .argument("<query...>", 'words, "a phrase", -exclude, file:path, tool:Bash')
    .option("--org <owner>", "only this owner (GitLab subgroups: acme/platform)")
    .option("--repo <name>", "only repos of this name")
    .option("--agent <agent>", nameList(AGENT_NAMES))
    .option("--author <name>", "only conversations behind this author's commits (name or email)")
    .option("--since <date>", "from this date (2026-11-01)")
    .option("--until <date>", "before this date")
    .option("--limit <n>", "how many hits", positiveInt)
    .option("--json", "machine-readable output")
    // "-flaky" is an exclusion in the query, not an option.
    .allowUnknownOption()
    .addHelpText(
      "after",
      '\nExamples:\n  $ residue search retry backoff\n  $ residue search "exponential backoff" -flaky tool:Bash\n  $ residue search file:src/http.ts --since 2026-11-01',
    )
    .action((words, o) => runSearch(words, o, deps).then(() => undefined));

  program
    .command("show")
    .description("Print the conversation(s) behind a commit, up to the point it was made")
    .argument("[commit]", "a SHA or any git revision", "HEAD")
    .option("--all", "the whole conversation, including what came after the commit")
    .option("--json", "machine-readable output")
    .action((rev, o) => runShow(rev, o, deps));

  program
    .command("why")
    .description("Show the conversation turn that wrote a line: git blame, then that commit's conversation")
    .argument("<file:line>", "e.g. src/http.ts:42")
    .action((target) => runWhy(target, deps));

  program
    .command("open")
    .description("Open a commit's permalink in the browser ($BROWSER, else the system opener)")
    .argument("[commit]", "a SHA or any git revision", "HEAD")
    .action((rev) => runOpen(rev, deps));

  const linkHelp = (verb: string) =>
    `\nThe commit is any git revision here; the session is its id or a unique prefix of it (the permalink shows
both; \`residue show <commit>\` and \`residue status\` print session ids). The link changes on the server, for everyone.

Examples:
  $ residue ${verb} HEAD 0c4f7a2e
  $ residue ${verb} 4f1c2e0 0c4f7a2e-91b3-4d6a-8e25-7f1b3c9d0e44`;
  const linkCommands = [
    ["link", 'Link a conversation to a commit by hand, when the hooks missed it (the permalink says "linked by hand")', runLink],
    ["unlink", "Remove a conversation from a commit; later pushes keep it off (`residue link` puts it back)", runUnlink],
  ] as const;
  for (const [verb, description, run] of linkCommands)
    program
      .command(verb)
      .description(description)
      .argument("<commit>", "a SHA or any git revision")
      .argument("<session>", "a session id, or a unique prefix of one")
      .addHelpText("after", linkHelp(verb))
      .action((rev, session) => run(rev, session, deps));

  program
    .command("dismiss")
    .description("Stop repeating the warnings status, doctor and git push show (lost transcripts, a recovered queue), once read")
    .action(() => runDismiss(deps));

  program
    .command("redact")
    .description("Show what redaction takes out of the queued sessions (--dry-run), or redact their snapshots now")
    .argument(
      "[session-or-file]",
      "a queued session (id or unique prefix; default: all queued here), or with --dry-run any transcript file",
    )
    .option("--dry-run", "read the transcripts and show each value that would be redacted, masked: its rule and the text around it")
    .option("--all", "show every hit (default: the first 20 per session)")
    .option("--json", "machine-readable output")
    .addHelpText(
      "after",
      `
The rules are the built-in ones plus the "redaction" sections of ~/.residue/config and of the repo's committed
.residue.json (they add up). A hit is shown as the redacted line around its [REDACTED:<rule>] mark, never the
value itself. Without --dry-run, the snapshots of the queued sessions are taken again with the current rules (a
push does this too when the rules changed) and the counts per rule are printed.

.residue.json (or ~/.residue/config):
  {"redaction": {"patterns": [{"name": "acme-customer", "regex": "ACME-CUSTOMER-\\\\d+"}],
                 "allow": {"strings": ["sk-test-not-a-secret"], "regexes": ["EXAMPLE[A-Z0-9]+"]}}}

Examples:
  $ residue redact --dry-run                       # every session queued in this repo
  $ residue redact --dry-run 0c4f7a2e --all        # one session, every hit
  $ residue redact --dry-run ~/.claude/projects/-repo/1f2e….jsonl   # any transcript file
  $ residue redact                                 # apply the current rules to the snapshots now`,
    )
    .action((target, o) => runRedact(target, o, deps));

  program
    .command("forget")
    .description("Take a queued session back: out of the queue and its commit links, local copy deleted, never recorded again")
    .argument("<session>", "its id (or a unique prefix), the agent's id, or the transcript path")
    .addHelpText(
      "after",
      `
Only this clone's queue changes; the agent's transcript file is left alone. A session uploaded already stays
on the server: \`residue delete <id>\` removes it there (and forgets it here too).

Examples:
  $ residue status                  # the queued sessions and their ids
  $ residue forget 0c4f7a2e         # a unique prefix is enough`,
    )
    .action((key) => runForget(key, deps));

  program
    .command("delete")
    .description("Remove a conversation from the server, or every conversation linked to a commit (asks first)")
    .argument("<session-or-commit>", "a session id (or a unique prefix of a queued one), or a commit: SHA or any git revision")
    .option("-y, --yes", "do not ask (required without a terminal)")
    .addHelpText(
      "after",
      `
A conversation is deleted whole: its transcript, search rows and links to every commit. For a commit, residue
lists each conversation linked to it and the other commits it is linked to, then asks. A session queued here
is forgotten too, so no later push uploads it again.

Examples:
  $ residue delete 0c4f7a2e-91b3-4d6a-8e25-7f1b3c9d0e44
  $ residue delete HEAD                 # the conversations behind the last commit
  $ residue delete 4f1c2e0 --yes        # in a script`,
    )
    .action((target, o) => runDelete(target, o, deps));

  program
    .command("ignore")
    .description("Never capture sessions working under a directory (or glob); queued ones there are forgotten")
    .argument("[path-or-glob]", "a directory (default: the current one), or a glob: * and ? within a name, ** across directories")
    .option("--list", "show what is ignored, from ~/.residue/config and the repo's .residue.json")
    .option("--remove", "stop ignoring it (only entries of ~/.residue/config; .residue.json is edited by hand)")
    .addHelpText(
      "after",
      `
The list lives in ~/.residue/config (this machine). A team shares its own in the committed .residue.json at the
repo root ({"ignore": ["secrets/**", "scratch"]}, relative to the repo root). A directory ignores everything
under it. Relative paths are resolved against the current directory; ~/… and **/… are kept as written.

Examples:
  $ residue ignore                      # this directory and everything under it
  $ residue ignore ~/clients/acme       # a whole tree
  $ residue ignore '**/playground-*'    # any directory named like that, anywhere
  $ residue ignore --list
  $ residue ignore --remove ~/clients/acme`,
    )
    .action((target, o) => runIgnore(target, o, deps));

  program
    .command("doctor")
    .description("Check hooks, login and the backend, and say how to fix each problem")
    .option("--json", "machine-readable output")
    .action(async (o) => setExit(await runDoctor(o, deps)));

  program
    .command("upgrade")
    .description("Install the build of residue your server hands out, in place of this one")
    .option("--check", "only say which version the server has; change nothing")
    .option("--url <url>", "the server to upgrade from (default: the one you logged in to)")
    .addHelpText(
      "after",
      `
The server hands out the CLI of its own build (/releases/current.json). upgrade downloads the file for
this OS and CPU, checks its size and SHA-256 and that it runs, then replaces this binary in one rename
(on Windows the old one is moved aside to residue.exe.old). Any failure changes nothing.
A residue installed with npm or bun says to upgrade it with that package manager instead.

Examples:
  $ residue upgrade --check     # is the server's build newer (or older) than this one?
  $ residue upgrade             # residue 0.1.0 → 0.2.0 (/home/me/.local/bin/residue)
  $ residue upgrade --url https://residue.example.com`,
    )
    .action((o) => runUpgrade(o, deps));

  return program;
}

export async function main(argv: string[], deps: Deps = processDeps()): Promise<number> {
  let code = 0;
  const program = buildProgram(deps, (c) => {
    code = c;
  });
  try {
    await program.parseAsync(argv, { from: "user" });
    return code;
  } catch (error) {
    const e = error as { code?: string; exitCode?: number };
    // Commander has printed its own one line already (or the help, or the version, which exit 0).
    if (typeof e.code === "string" && e.code.startsWith("commander.")) return e.exitCode === 0 ? 0 : EXIT.usage;
    const report = failureReport(error, deps.env.RESIDUE_DEBUG === "1");
    deps.err(report.text);
    return report.exitCode;
  }
}

/** Resolves once the stream has handed all it was given to the OS (at once when its reader is gone). */
function ended(stream: NodeJS.WriteStream): Promise<void> {
  return new Promise((resolve) => {
    stream.end(() => resolve());
  });
}

if (import.meta.main) {
  // Not top-level await: `bun build --bytecode` emits CommonJS.
  void main(process.argv.slice(2))
    .then(async (code) => {
      process.exitCode = code;
      // A pipe's reader may be slower than we write, and bun reports no pending bytes: exiting before the
      // output is handed over cut `--json` output short at a few MB with exit code 0. Ending the streams waits.
      await Promise.all([ended(process.stdout), ended(process.stderr)]);
      return code;
    })
    .then((code) => {
      // Whatever still holds the event loop now was abandoned on purpose (a request cut off at the hook's
      // deadline, a lock wait): it must not keep git waiting. The timer is unref'd, so it only fires then.
      setTimeout(() => process.exit(code), 250).unref();
    });
}
