// `residue link` / `residue unlink` through the compiled binary, on a repo pushed by it.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { Sandbox, seconds, transcriptLines } from "./support/harness.ts";

let sb: Sandbox;
let sha: string;
let during: string;
let after: string;

/** A session registered on this transcript and ended; its lines are stamped at these offsets from t0. */
function session(t0: Date, name: string, offsets: number[]): string {
  const path = join(sb.dir, `${name}.jsonl`);
  writeFileSync(path, transcriptLines(offsets.map((s) => seconds(t0, s))));
  const id = sb.residue(["session", "start", "--agent", "claude-code", "--data", path]).stdout.trim();
  return id;
}

const linked = async () => (await sb.api(`/repos/${sb.owner}/widgets/${sha}`)).body.commit.sessions as { id: string; reason: unknown }[];

beforeAll(() => {
  sb = new Sandbox();
  sb.residue(["init"]);
  const t0 = new Date(Date.now() - 120_000);
  during = session(t0, "during", [1, 2]);
  sb.edit("parser.ts", "export const parse = () => 1;\n");
  sb.gitAt(seconds(t0, 3), "commit", "-qm", "Fix the parser");
  sha = sb.git("rev-parse", "HEAD").trim();
  sb.residue(["session", "end", "--id", during]);
  // Started after the commit: the hooks leave it unlinked, an exploration.
  after = session(t0, "after", [10, 11]);
  sb.residue(["session", "end", "--id", after]);
  sb.git("push", "-q", "origin", "main");
});

describe("correcting links by hand", () => {
  it("unlinks the session the hooks linked, and links the one they missed", async () => {
    expect((await linked()).map((s) => s.id)).toEqual([during]);

    const unlink = sb.residue(["unlink", "HEAD", during.slice(0, 8)]);
    expect(unlink.status, unlink.stderr).toBe(0);
    expect(unlink.stdout).toContain(`Unlinked session ${during} from ${sha.slice(0, 7)} Fix the parser`);
    expect(unlink.stdout).toContain(`/app/${sb.owner}/widgets/${sha}\n`);
    expect(await linked()).toEqual([]);
    expect(sb.residue(["unlink", sha, during]).stdout).toContain("Was not linked:");

    const link = sb.residue(["link", sha.slice(0, 7), after.slice(0, 6).toUpperCase()]);
    expect(link.status, link.stderr).toBe(0);
    expect(link.stdout).toContain(`Linked session ${after} to ${sha.slice(0, 7)}`);
    expect(link.stdout).toContain(`/app/${sb.owner}/widgets/${sha}#s-${after}`);
    expect(await linked()).toEqual([expect.objectContaining({ id: after, reason: { kind: "manual" } })]);
    expect(sb.residue(["link", "HEAD", after]).stdout).toContain("Already linked by hand");
  });

  it("teaches itself in --help", () => {
    const help = sb.residue(["--help"]).stdout;
    for (const command of ["link <commit> <session>", "unlink <commit> <session>"]) expect(help).toContain(`  ${command}`);
    const unlink = sb.residue(["unlink", "--help"]).stdout;
    expect(unlink).toContain("later pushes keep it off");
    expect(unlink).toContain("$ residue unlink HEAD 0c4f7a2e");
  });

  it("says in one line what is wrong and what to do", () => {
    const cases: [string[], number, RegExp][] = [
      [["link", "HEAD", "zz"], 2, /'zz' is not a session id — give the session's id or at least its first 4 characters/],
      [["link", "no-such-rev", after], 2, /git knows no commit 'no-such-rev' in this repo — give a SHA/],
      [["unlink", "HEAD", "7e3b9d51"], 1, /session 7e3b9d51 of org-[0-9a-f]+\/widgets is not on http:\/\/127\.0\.0\.1:\d+ — copy its id/],
      [
        ["link", "HEAD~1", after],
        1,
        /commit [0-9a-f]{12} of org-[0-9a-f]+\/widgets is not on .* — its conversations go up with `git push`/,
      ],
      [["link"], 2, /missing required argument 'commit'/],
    ];
    for (const [args, status, message] of cases) {
      const run = sb.residue(args);
      expect([args.join(" "), run.status], run.stderr).toEqual([args.join(" "), status]);
      expect(run.stderr.trim().split("\n")).toHaveLength(1);
      expect(run.stderr).toMatch(message);
    }
  });
});
