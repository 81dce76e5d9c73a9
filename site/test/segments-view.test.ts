// Permalinks, folds, fragments and session pages of a session stored in segments (the range reader over
// R2, in workerd) against the same transcript stored whole: the same counts, labels and messages, only
// fewer of them on a permalink's first page when their transcript lines pass its byte budget.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { mapSession } from "@residue/formats";
import type { Message } from "@residue/formats/model";
import { writeSession } from "@residue/store/writer";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { ROOT } from "../../api/local/server.ts";
import { baseUrl, commitMapping, fakeSha, postJson, sessionMeta, uniqueRepo, uploadData } from "../../api/test/support/client.ts";
import { putObject } from "../../api/test/support/segments.ts";

const auth = () => ({ authorization: `Basic ${btoa(`${inject("adminUser")}:${inject("adminPassword")}`)}` });
const work = mkdtempSync(join(tmpdir(), "residue-segments-view-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

execFileSync(process.execPath, [join(ROOT, "scale-proto/gen-transcript.ts"), join(work, "t.jsonl"), "120"]);
const transcript = readFileSync(join(work, "t.jsonl"), "utf8");
const full = mapSession("claude-code", transcript).messages;
const at = (i: number) => full[i] as Message;
const repo = uniqueRepo();
const whole = sessionMeta(transcript);
const segments = sessionMeta(transcript);
const commits: Record<string, { sha: string; since?: { line: number }; position: { line?: number }; committed_at?: number }> = {
  /** A part in the middle: earlier turns folded, later ones too. */
  middle: { sha: fakeSha(`${segments.id}-middle`), since: { line: at(100).line }, position: { line: at(400).line } },
  /** No new messages since the previous commit: the exchange it ends on is recapped. */
  recap: { sha: fakeSha(`${segments.id}-recap`), since: { line: at(250).line }, position: { line: at(250).line } },
  /** Linked by hand: no position, the commit's time says how far the session had got. */
  manual: { sha: fakeSha(`${segments.id}-manual`), position: {}, committed_at: (at(300).timestamp as number) + 1 },
};

beforeAll(async () => {
  await uploadData(whole.id, transcript);
  const written = await writeSession({
    agent: "claude-code",
    input: [Buffer.from(transcript)],
    confirmed: null,
    gzipPath: join(work, "t.gz"),
    indexPath: join(work, "t.idx"),
  });
  const { generation, push } = written.layout;
  const gz = readFileSync(join(work, "t.gz"));
  const chunk = written.chunk ? gz.subarray(written.chunk.offset, written.chunk.offset + written.chunk.length) : Buffer.alloc(0);
  expect((await putObject(segments.id, { generation, push, kind: "chunk" }, chunk)).status).toBe(200);
  expect((await putObject(segments.id, { generation, push, kind: "index" }, readFileSync(join(work, "t.idx")))).status).toBe(200);
  const mappings = Object.values(commits).map(({ sha, committed_at, ...link }) =>
    commitMapping(sha, [], {
      ...(committed_at ? { committed_at } : {}),
      sessions: [whole, segments].map((s) => ({ session_id: s.id, ...link })),
    }),
  );
  const res = await postJson("/sessions", { repo, sessions: [whole, { ...segments, layout: written.layout }], commits: mappings });
  expect(res.status, await res.clone().text()).toBe(200);
}, 120_000);

const response = async (path: string) => {
  const res = await fetch(`${baseUrl()}${path}`, { headers: auth() });
  expect(res.status, path).toBe(200);
  return res;
};
const page = async (path: string) => (await response(path)).text();
/** What the view read by range, from its Server-Timing header. */
const readCost = (res: Response) => {
  const m = /reads=(\d+) read=(\d+) inflated=(\d+)/.exec(res.headers.get("server-timing") ?? "");
  return m ? { reads: Number(m[1]), read: Number(m[2]), inflated: Number(m[3]) } : null;
};
/** One session's section of a commit page, its id made neutral so both layouts compare. */
const section = (html: string, id: string) => {
  const start = html.indexOf(`<section class="session" id="s-${id}">`);
  return html.slice(start, html.indexOf("</section>", start)).replaceAll(id, "ID");
};
const folds = (html: string) =>
  [...html.matchAll(/<a class="fold"[^>]*data-from="(\d+)" data-to="(\d+)">([^<]*)<\/a>/g)].map((m) => `${m[1]}-${m[2]} ${m[3]}`);
const shown = (html: string) => [...html.matchAll(/\sid="m-ID-(\d+)"/g)].map((m) => Number(m[1]));

describe("a session stored in segments, shown as the same session stored whole", () => {
  it("has enough messages for folds and a byte budget to matter", () => expect(full.length).toBeGreaterThan(450));

  for (const [name, commit] of Object.entries(commits))
    it(`${name}: the permalink's counts and fold labels are the same; its messages are the nearest of the whole's`, async () => {
      const html = await page(`/app/${repo.owner}/${repo.name}/${commit.sha}`);
      const [a, b] = [section(html, whole.id), section(html, segments.id)];
      const [wholeShown, segmentsShown] = [shown(a), shown(b)];
      expect(segmentsShown.length).toBeGreaterThan(0);
      // The byte budget keeps whole blocks nearest the commit: a suffix of what the whole layout shows.
      expect(wholeShown.slice(wholeShown.length - segmentsShown.length)).toEqual(segmentsShown);
      const [wholeFolds, segmentsFolds] = [folds(a), folds(b)];
      // The fold of the part's own earlier messages grows by what the budget left out; every other fold is the same.
      const budgetFold = (f: string) => / earlier messages?$/.test(f);
      expect(segmentsFolds.filter((f) => !budgetFold(f))).toEqual(wholeFolds.filter((f) => !budgetFold(f)));
      const hiddenBy = (fs: string[]) => fs.filter(budgetFold).map((f) => Number(f.split(" ")[2]))[0] ?? 0;
      expect(hiddenBy(segmentsFolds) + segmentsShown.length).toBe(hiddenBy(wholeFolds) + wholeShown.length);
      expect(b.replace(/<a class="fold"[^>]*>[^<]*<\/a>|<article[\s\S]*$/g, "")).toEqual(
        a.replace(/<a class="fold"[^>]*>[^<]*<\/a>|<article[\s\S]*$/g, ""),
      );
    });

  it("a view reads a few ranges, and says what in its Server-Timing header", async () => {
    const permalink = readCost(await response(`/app/${repo.owner}/${repo.name}/${commits.middle?.sha}`));
    const fragment = readCost(await response(`/app/-/fragment/${segments.id}?from=300&to=320`));
    const inMemory = readCost(await response(`/app/-/fragment/${whole.id}?from=300&to=320`));
    expect(inMemory).toEqual({ reads: 0, read: 0, inflated: 0 });
    // Counts read one index page; the shown window its page again (kept) and one run of segments.
    expect(permalink?.reads).toBeGreaterThan(0);
    expect(permalink?.reads).toBeLessThanOrEqual(4);
    expect(fragment?.reads).toBeLessThanOrEqual(3);
    expect(fragment?.inflated).toBeLessThan(transcript.length / 2);
    console.log(
      `segments view of ${full.length} messages (${transcript.length} bytes): permalink ${JSON.stringify(permalink)}, fragment ${JSON.stringify(fragment)}`,
    );
  });

  it("fragments and session pages of any range are the same HTML", async () => {
    for (const query of [
      "?from=0&to=9",
      "?from=95&to=140&tone=later",
      "?from=300&to=700",
      `?from=${full.length - 3}&to=${full.length + 10}`,
    ]) {
      for (const route of ["fragment", "session"]) {
        const a = await page(`/app/-/${route}/${whole.id}${query}`);
        const b = await page(`/app/-/${route}/${segments.id}${query}`);
        expect(b.replaceAll(segments.id, "ID"), `${route}${query}`).toBe(a.replaceAll(whole.id, "ID"));
      }
    }
  });
});
