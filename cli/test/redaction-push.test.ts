// Secrets never leave the laptop: synthetic secrets of every kind, planted in a transcript of each of the five
// agents, pushed through the compiled binary to the real backend. None of them is in the stored object, the
// search index, the session's page or its title; the stored transcript still maps to the same messages. The
// look-alikes planted beside them (ids, hashes, digests, base64, class lists, minified code…) all arrive
// verbatim, and the page shows every one its agent's mapper shows.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { mapSession } from "@residue/formats";
import { editView } from "@residue/formats/diff";
import type { Message } from "@residue/formats/model";
import { describe, expect, inject, it } from "vitest";
import { Sandbox } from "./support/harness.ts";
import { carriers, LOOK_ALIKE_KINDS, plantSecretsAndLookAlikes, SECRET_KINDS } from "./support/redaction-corpus.ts";

/** What the session page renders of messages (outputs uncut): blocks' texts, tool inputs or their edits, outputs; not tool details. */
const rendered = (messages: Message[]) =>
  JSON.stringify(messages, (key, value) => {
    if (key === "detail") return undefined;
    const edits = value?.kind === "tool_call" && editView(value.name, value.input);
    return edits ? { ...value, input: edits.flatMap((e) => e.lines.map((l) => l.text)) } : value;
  });

const auth = { authorization: `Basic ${btoa(`${inject("adminUser")}:${inject("adminPassword")}`)}` };

/** The longest run of letters and digits in a secret: what a search for it would match on. */
const searchable = (value: string) => [...value.matchAll(/[A-Za-z0-9]{12,}/g)].map((m) => m[0]).sort((a, b) => b.length - a.length)[0];

describe("redaction before upload, through the binary", { timeout: 120_000 }, () => {
  // Per agent, the JSONL carrier with the most places to plant a secret, so that every kind goes in.
  type Carrier = ReturnType<typeof carriers>[number];
  const places = (c: Carrier) => plantSecretsAndLookAlikes(c, 7).secrets.length;
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
    it(`${carrier.agent}: no planted secret reaches R2, search, the page or the title; every look-alike does`, async () => {
      const sb = new Sandbox();
      const planted = plantSecretsAndLookAlikes(carrier, 7);
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
      const messages = mapSession(carrier.agent, stored).messages;
      expect(messages.length).toBe(mapSession(carrier.agent, planted.text).messages.length);
      expect(new Set(planted.alikes.map((a) => a.kind)), "kinds of look-alike planted").toEqual(new Set(LOOK_ALIKE_KINDS));
      for (const a of planted.alikes) expect(stored, `${a.kind} in R2`).toContain(a.value);

      // Every message, outputs uncut.
      const page = await fetch(`${inject("baseUrl")}/app/-/session/${id}?full=1&to=100000`, { headers: auth });
      expect(page.status).toBe(200);
      const html = await page.text();
      for (const value of values) expect(html, value).not.toContain(value);
      // Look-alikes hold no character HTML escapes; as text, since markdown may wrap part of one in a link.
      const pageText = html.replace(/<[^>]*>/g, "");
      const mapped = rendered(messages);
      const shown = planted.alikes.filter((a) => mapped.includes(a.value));
      for (const a of shown) expect(pageText, `${a.kind} on the page`).toContain(a.value);
      expect(shown.length, "look-alikes the page shows (the rest sit in tool details)").toBeGreaterThanOrEqual(planted.alikes.length / 3);

      for (const value of values) {
        const word = searchable(value);
        if (!word) continue;
        const found = await sb.api(`/search?q=${encodeURIComponent(`"${word}"`)}&org=${sb.owner}`);
        expect(found.status).toBe(200);
        expect(found.body.hits, word).toEqual([]);
      }
    });
});
