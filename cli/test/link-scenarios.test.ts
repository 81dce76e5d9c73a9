// Which sessions each commit is linked to, scenario by scenario, through the compiled binary, real git and its
// hooks: transcripts are written in the agents' own formats, stamped as they are written, and registered with
// `residue session start/end` as the adapters do. Every link expected and every link made is counted, and the
// table (with precision and recall over all scenarios) is printed and written to cli/test/LINKS.md.
import { randomUUID } from "node:crypto";
import { appendFileSync, readFileSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { Sandbox, stamp } from "./support/harness.ts";

type Agent = "claude-code" | "codex" | "pi";

/** A transcript written line by line in one agent's format; `lines` is how far it has got. */
class Transcript {
  readonly path: string;
  lines = 0;
  id = "";
  private last: string | null = null;

  constructor(
    readonly sb: Sandbox,
    readonly agent: Agent,
    name: string,
    /** When lines are stamped: now, or a clock set in the past. */
    public clock: () => Date = stamp,
  ) {
    this.path = join(sb.dir, `${name}.jsonl`);
    writeFileSync(this.path, "");
    if (agent === "codex") this.write({ type: "session_meta", payload: { id: randomUUID(), cwd: sb.repo } });
    if (agent === "pi") this.write({ type: "session", id: randomUUID(), cwd: sb.repo });
  }

  private write(record: Record<string, unknown>) {
    const uuid = randomUUID();
    const parent =
      this.agent === "claude-code" ? { uuid, parentUuid: this.last } : this.agent === "pi" ? { id: uuid, parentId: this.last } : {};
    appendFileSync(this.path, `${JSON.stringify({ ...record, ...parent, timestamp: this.clock().toISOString() })}\n`);
    this.last = uuid;
    this.lines++;
  }

  /** The user's prompt: where a turn begins. Returns the position before it. */
  prompt(text: string): number {
    const before = this.lines;
    if (this.agent === "claude-code") this.write({ type: "user", message: { role: "user", content: text } });
    if (this.agent === "codex")
      this.write({ type: "response_item", payload: { type: "message", role: "user", content: [{ type: "input_text", text }] } });
    if (this.agent === "pi") this.write({ type: "message", message: { role: "user", content: [{ type: "text", text }] } });
    return before;
  }

  reply(text: string) {
    if (this.agent === "claude-code")
      this.write({ type: "assistant", message: { id: randomUUID(), role: "assistant", content: [{ type: "text", text }] } });
    if (this.agent === "codex")
      this.write({ type: "response_item", payload: { type: "message", role: "assistant", content: [{ type: "output_text", text }] } });
    if (this.agent === "pi") this.write({ type: "message", message: { role: "assistant", content: [{ type: "text", text }] } });
  }

  /** A tool call: Claude Code's Edit/Bash, Codex's apply_patch, pi's edit. The file really changes too. */
  call(tool: "edit" | "bash", arg: string) {
    const id = randomUUID();
    if (tool === "edit") appendFileSync(join(this.sb.repo, arg), `${arg} ${this.lines}\n`);
    const absolute = join(this.sb.repo, arg);
    if (this.agent === "claude-code") {
      const input = tool === "edit" ? { file_path: absolute, old_string: "", new_string: "x" } : { command: arg };
      this.write({
        type: "assistant",
        message: { id, role: "assistant", content: [{ type: "tool_use", id, name: tool === "edit" ? "Edit" : "Bash", input }] },
      });
    }
    if (this.agent === "codex") {
      const input = `*** Begin Patch\n*** Update File: ${arg}\n@@\n+x\n*** End Patch`;
      this.write({ type: "response_item", payload: { type: "custom_tool_call", name: "apply_patch", call_id: id, input } });
    }
    if (this.agent === "pi") {
      this.write({
        type: "message",
        message: { role: "assistant", content: [{ type: "toolCall", id, name: "edit", arguments: { path: absolute } }] },
      });
    }
    return id;
  }

  result(id: string) {
    if (this.agent === "claude-code")
      this.write({ type: "user", message: { role: "user", content: [{ type: "tool_result", tool_use_id: id, content: "done" }] } });
    if (this.agent === "codex")
      this.write({ type: "response_item", payload: { type: "custom_tool_call_output", call_id: id, output: "done" } });
    if (this.agent === "pi")
      this.write({ type: "message", message: { role: "toolResult", toolCallId: id, content: [{ type: "text", text: "done" }] } });
  }

  /** A whole turn that edits these files. Returns where the turn begins. */
  turn(text: string, ...files: string[]): number {
    const before = this.prompt(text);
    for (const f of files) this.result(this.call("edit", f));
    this.reply(`edited ${files.join(", ")}`);
    return before;
  }

  start() {
    const run = this.sb.residue(["session", "start", "--agent", this.agent, "--data", this.path]);
    expect(run.status, run.stderr).toBe(0);
    this.id = run.stdout.trim();
  }

  end() {
    expect(this.sb.residue(["session", "end", "--id", this.id]).status).toBe(0);
  }
}

interface Link {
  session_id: string;
  position: { line?: number };
  since?: { line?: number };
  reason?: { kind: string; files?: string[]; since_sha?: string | null };
}

/** One scenario's repo: commits by label, and what the queue links each to once folded. */
class Scenario {
  readonly sb = new Sandbox();
  readonly commits = new Map<string, string>();

  constructor() {
    expect(this.sb.residue(["init"]).status).toBe(0);
  }

  commit(label: string, files: string[], ...extra: string[]) {
    for (const f of files) {
      if (!this.sb.git("status", "--porcelain", "--", f)) appendFileSync(join(this.sb.repo, f), `${label}\n`);
      this.sb.git("add", f);
    }
    this.sb.git("commit", "-qm", label, ...extra);
    this.commits.set(label, this.sb.git("rev-parse", "HEAD").trim());
  }

  links(): Map<string, Link[]> {
    const status = this.sb.residue(["status", "--json"]);
    expect(status.status, status.stderr).toBe(0);
    const state = JSON.parse(readFileSync(join(this.sb.repo, ".residue/state.json"), "utf8"));
    return new Map([...this.commits].map(([label, sha]) => [label, (state.commits[sha]?.sessions ?? []) as Link[]]));
  }
}

interface Row {
  scenario: string;
  expected: string[];
  actual: string[];
}
const rows: Row[] = [];

/** Compares the links made with those expected (commit label → session labels), and records the row. */
function record(scenario: string, s: Scenario, sessions: Record<string, Transcript>, expected: Record<string, string[]>) {
  const label = new Map(Object.entries(sessions).map(([name, t]) => [t.id, name]));
  const links = s.links();
  const pairs = (m: Record<string, string[]>) =>
    Object.entries(m)
      .flatMap(([c, ss]) => ss.map((x) => `${c}→${x}`))
      .sort();
  const actual: Record<string, string[]> = {};
  for (const [c, ls] of links) actual[c] = ls.map((l) => label.get(l.session_id) ?? l.session_id.slice(0, 8));
  rows.push({ scenario, expected: pairs(expected), actual: pairs(actual) });
  return links;
}

const linkOf = (links: Map<string, Link[]>, commit: string, t: Transcript) => links.get(commit)?.find((l) => l.session_id === t.id);

describe("link scenarios", () => {
  it("(a) the agent edits a file, the user commits it", () => {
    const s = new Scenario();
    const agent = new Transcript(s.sb, "claude-code", "a");
    agent.start();
    agent.turn("add the parser", "parser.ts");
    s.commit("c1", ["parser.ts"]);
    const links = record("a: agent edits, user commits", s, { S: agent }, { c1: ["S"] });
    expect(linkOf(links, "c1", agent)).toMatchObject({
      since: { line: 0 },
      position: { line: 4 },
      reason: { kind: "files", files: ["parser.ts"] },
    });
  });

  it("(b) two sessions in parallel terminals edit different files, committed separately", () => {
    const s = new Scenario();
    const one = new Transcript(s.sb, "claude-code", "one");
    const two = new Transcript(s.sb, "codex", "two");
    one.start();
    two.start();
    one.prompt("fix x");
    two.prompt("fix y");
    one.result(one.call("edit", "x.ts"));
    two.result(two.call("edit", "y.ts"));
    one.reply("done");
    two.reply("done");
    s.commit("cx", ["x.ts"]);
    s.commit("cy", ["y.ts"]);
    const links = record("b: parallel sessions, separate files", s, { S1: one, S2: two }, { cx: ["S1"], cy: ["S2"] });
    expect(linkOf(links, "cy", two)).toMatchObject({ reason: { kind: "files", files: ["y.ts"] } });
  });

  it("(c) a session left idle while the user commits unrelated manual work", () => {
    const s = new Scenario();
    const done = new Transcript(s.sb, "claude-code", "done");
    const pending = new Transcript(s.sb, "pi", "pending");
    done.start();
    pending.start();
    done.turn("write a", "a.ts");
    pending.turn("draft b", "b.ts");
    s.commit("ca", ["a.ts"]);
    s.commit("manual", ["manual.ts"]);
    record("c: idle sessions, manual commit", s, { S: done, P: pending }, { ca: ["S"], manual: [] });
  });

  it("(d) a session from last week resumed today links only to commits after the resume, from the resume point", () => {
    const s = new Scenario();
    const weekAgo = Date.now() - 7 * 86_400_000;
    let tick = 0;
    const old = new Transcript(s.sb, "claude-code", "old", () => new Date(weekAgo + tick++ * 1000));
    old.turn("last week's work", "old.ts");
    const lastWeek = new Date(weekAgo + tick * 1000);
    utimesSync(old.path, lastWeek, lastWeek);
    // Its earlier part went up last week and left the queue: today it is registered anew, mid-conversation.
    s.commit("before", ["old.ts"]);
    const resumedAt = old.lines;
    old.start();
    old.clock = stamp;
    old.turn("today's work", "new.ts");
    s.commit("after", ["new.ts"]);

    // A session known to the queue, ended, then resumed: nothing between its end and its resume.
    const known = new Transcript(s.sb, "claude-code", "known");
    known.start();
    known.turn("first", "k.ts");
    s.commit("k1", ["k.ts"]);
    known.end();
    s.commit("while-ended", ["k.ts"]);
    const resumePoint = known.lines;
    known.start();
    known.turn("again", "k2.ts");
    s.commit("k2", ["k2.ts"]);
    const links = record(
      "d: resumed sessions",
      s,
      { R: old, K: known },
      { before: [], after: ["R"], k1: ["K"], "while-ended": [], k2: ["K"] },
    );
    expect(linkOf(links, "after", old)).toMatchObject({ since: { line: resumedAt }, position: { line: old.lines } });
    expect(linkOf(links, "k2", known)).toMatchObject({ since: { line: resumePoint } });
  });

  it("(e) the agent itself runs git commit mid-turn: its part ends at that tool call", () => {
    const s = new Scenario();
    const agent = new Transcript(s.sb, "claude-code", "e");
    agent.start();
    agent.prompt("fix e and commit");
    agent.result(agent.call("edit", "e.ts"));
    const commitCall = agent.call("bash", "git commit -am 'fix e'");
    const atCall = agent.lines;
    s.commit("agent", ["e.ts"]);
    agent.result(commitCall);
    agent.result(agent.call("edit", "e2.ts"));
    agent.reply("committed, and started on e2");
    s.commit("user", ["e2.ts"]);
    const links = record("e: agent commits mid-turn", s, { S: agent }, { agent: ["S"], user: ["S"] });
    expect(linkOf(links, "agent", agent)).toMatchObject({ since: { line: 0 }, position: { line: atCall } });
    expect(linkOf(links, "user", agent)).toMatchObject({ since: { line: atCall }, position: { line: agent.lines } });
  });

  it("(f) the user splits the agent's work into two commits", () => {
    const s = new Scenario();
    const agent = new Transcript(s.sb, "claude-code", "f");
    agent.start();
    const turn1 = agent.turn("first part", "f1.ts");
    const turn2 = agent.turn("second part", "f2.ts");
    s.commit("part1", ["f1.ts"]);
    s.commit("part2", ["f2.ts"]);
    const links = record("f: work split over two commits", s, { S: agent }, { part1: ["S"], part2: ["S"] });
    expect(linkOf(links, "part1", agent)).toMatchObject({ since: { line: turn1 }, reason: { files: ["f1.ts"] } });
    expect(linkOf(links, "part2", agent)).toMatchObject({
      since: { line: turn2 },
      position: { line: agent.lines },
      reason: { files: ["f2.ts"] },
    });
  });

  it("(g) several commits within one second: parents give the order, each gets its own part", () => {
    const s = new Scenario();
    const agent = new Transcript(s.sb, "claude-code", "g");
    agent.start();
    const turns = ["g1.ts", "g2.ts", "g3.ts"].map((f) => agent.turn(`write ${f}`, f));
    const second = `${Math.floor(Date.now() / 1000)} +0000`;
    for (const [i, f] of ["g1.ts", "g2.ts", "g3.ts"].entries()) {
      s.sb.env.GIT_COMMITTER_DATE = second;
      s.commit(`g${i + 1}`, [f]);
    }
    // However the journal came to list them (worktrees, a clock step), the fold orders them by parents.
    const journal = join(s.sb.repo, ".residue/journal");
    writeFileSync(journal, `${readFileSync(journal, "utf8").trim().split("\n").reverse().join("\n")}\n`);
    const links = record("g: three commits in one second", s, { S: agent }, { g1: ["S"], g2: ["S"], g3: ["S"] });
    turns.forEach((turn, i) => {
      expect(linkOf(links, `g${i + 1}`, agent)).toMatchObject({ since: { line: turn }, reason: { files: [`g${i + 1}.ts`] } });
    });
    const state = JSON.parse(readFileSync(join(s.sb.repo, ".residue/state.json"), "utf8"));
    expect(state.commits[s.commits.get("g3") as string].parents).toEqual([s.commits.get("g2")]);
  });

  it("(h) amend and rebase keep the links and parts", () => {
    const s = new Scenario();
    const agent = new Transcript(s.sb, "claude-code", "h");
    agent.start();
    s.sb.git("checkout", "-qb", "feature");
    agent.turn("h1", "h1.ts");
    s.commit("h1", ["h1.ts"]);
    s.links();
    agent.turn("h2 belongs in the same commit", "h2.ts");
    s.commit("h1", ["h2.ts"], "--amend");
    const h3turn = agent.turn("h3", "h3.ts");
    s.commit("h3", ["h3.ts"]);
    s.commit("manual", ["manual.ts"]);
    s.sb.git("checkout", "-q", "main");
    s.commit("main", ["main.ts"]);
    s.sb.git("checkout", "-q", "feature");
    s.sb.git("rebase", "-q", "main");
    for (const [label, n] of [
      ["h1", 2],
      ["h3", 1],
      ["manual", 0],
    ] as const)
      s.commits.set(label, s.sb.git("rev-parse", `HEAD~${n}`).trim());
    const links = record("h: amend, then rebase", s, { S: agent }, { h1: ["S"], h3: ["S"], manual: [], main: [] });
    expect(linkOf(links, "h1", agent)).toMatchObject({ since: { line: 0 }, reason: { kind: "files" } });
    expect(linkOf(links, "h1", agent)?.reason?.files?.sort()).toEqual(["h1.ts", "h2.ts"]);
    expect(linkOf(links, "h3", agent)).toMatchObject({ since: { line: h3turn }, reason: { files: ["h3.ts"] } });
  });

  it("(i) the agent's session ends, then the user commits its work: not linked, and told how to link it", () => {
    const s = new Scenario();
    const agent = new Transcript(s.sb, "claude-code", "quit");
    agent.start();
    agent.turn("add the lexer", "lexer.ts");
    agent.end();
    // The user commits in a later second than the end, as people do. (Within the same second, a post-commit hook
    // delayed past that second by a loaded machine leaves only git's whole second, and the order is unknown.)
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1010 - (Date.now() % 1000));
    s.commit("after-quit", ["lexer.ts"]);
    record("i: session ended, then its work committed", s, { S: agent }, { "after-quit": [] });
    const [sha, id] = [s.commits.get("after-quit")?.slice(0, 7), agent.id.slice(0, 8)];
    const status = s.sb.residue(["status"]).stdout;
    expect(status).toContain(`commit ${sha} changes lexer.ts, edited by claude-code session ${id}, which had ended before the commit`);
    expect(status).toContain(`run \`residue link ${sha} ${id}\` after pushing`);
    // Said once: a later commit of the same file does not bring the same edit up again.
    s.commit("again", ["lexer.ts"]);
    const warnings: string[] = JSON.parse(s.sb.residue(["status", "--json"]).stdout).warnings;
    expect(warnings.filter((w) => w.includes("lexer.ts"))).toHaveLength(1);
  });

  it("(j) a commit made with git hooks switched off (Gemini CLI's shell tool empties core.hooksPath)", () => {
    const s = new Scenario();
    const agent = new Transcript(s.sb, "claude-code", "hookless");
    agent.start();
    agent.turn("add the cache", "cache.ts");
    appendFileSync(join(s.sb.repo, "cache.ts"), "cache\n");
    s.sb.git("add", "cache.ts");
    // Without the hook's millisecond only git's whole second is known: this commit comes a second later.
    s.sb.gitAt(new Date(Date.now() + 2000), "-c", "core.hooksPath=/dev/null", "commit", "-qm", "hookless");
    s.commits.set("hookless", s.sb.git("rev-parse", "HEAD").trim());
    const links = record("j: commit made with hooks off", s, { S: agent }, { hookless: ["S"] });
    expect(linkOf(links, "hookless", agent)).toMatchObject({ reason: { kind: "files", files: ["cache.ts"] } });
  });

  afterAll(() => {
    const count = (r: Row) => {
      const hit = r.actual.filter((p) => r.expected.includes(p)).length;
      return { hit, precision: r.actual.length ? hit / r.actual.length : 1, recall: r.expected.length ? hit / r.expected.length : 1 };
    };
    const all = rows.reduce(
      (t, r) => ({ hit: t.hit + count(r).hit, made: t.made + r.actual.length, expected: t.expected + r.expected.length }),
      { hit: 0, made: 0, expected: 0 },
    );
    const precision = all.made ? all.hit / all.made : 1;
    const recall = all.expected ? all.hit / all.expected : 1;
    const cell = (pairs: string[]) => (pairs.length ? pairs.join(", ") : "none");
    const body = [
      ["scenario", "expected links", "actual links", "precision", "recall"],
      ...rows.map((r) => {
        const c = count(r);
        return [r.scenario, cell(r.expected), cell(r.actual), c.precision.toFixed(2), c.recall.toFixed(2)];
      }),
      [`all ${rows.length} scenarios`, `${all.expected}`, `${all.made} (${all.hit} right)`, precision.toFixed(2), recall.toFixed(2)],
    ];
    // Padded as the formatter pads a markdown table, so the written file passes lint unchanged.
    const widths = (body[0] as string[]).map((_, i) => Math.max(...body.map((r) => (r[i] as string).length)));
    const line = (r: string[]) => `| ${r.map((c, i) => c.padEnd(widths[i] as number)).join(" | ")} |`;
    const table = [line(body[0] as string[]), `| ${widths.map((w) => "-".repeat(w)).join(" | ")} |`, ...body.slice(1).map(line)].join("\n");
    console.log(`\n${table}\n`);
    if (rows.length === 10) {
      writeFileSync(
        join(import.meta.dirname, "LINKS.md"),
        `# Commit ↔ session links, scenario by scenario\n\nWritten by \`cli/test/link-scenarios.test.ts\` (compiled binary, real git and hooks, transcripts in the agents' formats). A link is "commit→session"; "none" means the commit is linked to no session.\n\n${table}\n`,
      );
    }
    expect(precision).toBe(1);
    expect(recall).toBe(1);
  });
});
