// Secrets never leave the laptop: synthetic secrets of every kind, planted in a transcript of each of the five
// agents, pushed through the compiled binary to the real backend. None of them is in the stored object, the
// search index, the session's page or its title; the stored transcript still maps to the same messages.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { mapSession } from "@residue/formats";
import { describe, expect, inject, it } from "vitest";
import { Sandbox } from "./support/harness.ts";
import { carriers, plantSecrets, SECRET_KINDS } from "./support/redaction-corpus.ts";

const auth = { authorization: `Basic ${btoa(`${inject("adminUser")}:${inject("adminPassword")}`)}` };

/** The longest run of letters and digits in a secret: what a search for it would match on. */
const searchable = (value: string) => [...value.matchAll(/[A-Za-z0-9]{12,}/g)].map((m) => m[0]).sort((a, b) => b.length - a.length)[0];

describe("redaction before upload, through the binary", { timeout: 120_000 }, () => {
  // Per agent, the JSONL carrier with the most places to plant a secret, so that every kind goes in.
  type Carrier = ReturnType<typeof carriers>[number];
  const places = (c: Carrier) => plantSecrets(c, 7).secrets.length;
  const richest = new Map<string, Carrier>();
  for (const c of carriers().filter((c) => !c.whole)) {
    const best = richest.get(c.agent);
    if (!best || places(c) > places(best)) richest.set(c.agent, c);
  }
  const perAgent = [...richest.values()];

  it("covers all five agents", () => {
    expect(perAgent.map((c) => c.agent).sort()).toEqual(["claude-code", "codex", "gemini", "opencode", "pi"]);
  });

  for (const carrier of perAgent)
    it(`${carrier.agent}: no planted secret reaches R2, search, the page or the title`, async () => {
      const sb = new Sandbox();
      const planted = plantSecrets(carrier, 7);
      const values = planted.secrets.flatMap((s) => s.values);
      expect(new Set(planted.secrets.map((s) => s.kind)).size, "kinds of secret planted").toBeGreaterThanOrEqual(
        Math.min(10, SECRET_KINDS.length),
      );
      const transcript = join(sb.dir, `${carrier.agent}.jsonl`);
      writeFileSync(transcript, planted.text);
      const start = sb.residue(["session", "start", "--agent", carrier.agent, "--data", transcript]);
      expect(start.status, start.stderr).toBe(0);
      const id = start.stdout.trim();
      const push = sb.residue(["push", "--json"]);
      expect(push.status, push.stderr).toBe(0);
      expect(JSON.parse(push.stdout)).toMatchObject({ uploaded: 1, failed: [] });

      const stored = (await sb.rawSession(id)).toString("utf8");
      expect(stored).toContain("[REDACTED:");
      for (const value of values) expect(stored, value).not.toContain(value);
      expect(mapSession(carrier.agent, stored).messages.length).toBe(mapSession(carrier.agent, planted.text).messages.length);

      const page = await fetch(`${inject("baseUrl")}/app/-/session/${id}`, { headers: auth });
      expect(page.status).toBe(200);
      const html = await page.text();
      for (const value of values) expect(html, value).not.toContain(value);

      for (const value of values) {
        const word = searchable(value);
        if (!word) continue;
        const found = await sb.api(`/search?q=${encodeURIComponent(`"${word}"`)}&org=${sb.owner}`);
        expect(found.status).toBe(200);
        expect(found.body.hits, word).toEqual([]);
      }
    });
});
