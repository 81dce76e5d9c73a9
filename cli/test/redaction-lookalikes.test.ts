// False positives: strings a transcript is full of that look like secrets (ids, hashes, digests, base64
// payloads, class lists, minified code, references to secrets by name) must come out untouched, however they
// are written: in a JSON string, escaped twice inside a tool's JSON arguments, or as plain text.
import { describe, expect, it } from "vitest";
import { createRedactor } from "../src/redaction/engine.ts";
import { carriers, LOOK_ALIKE_KINDS, lookAlikes, makeSecret, plantSecretsAndLookAlikes, SECRET_KINDS } from "./support/redaction-corpus.ts";

const PER_KIND = 60;
const json = createRedactor({ format: "json" });
const text = createRedactor({ format: "text" });

/** The ways a look-alike reaches the engine: a JSONL line of a transcript, Codex-style arguments, a title. */
const WRITINGS: Record<string, (t: string) => { redactor: typeof json; input: string }> = {
  "JSON string": (t) => ({ redactor: json, input: JSON.stringify({ type: "tool_result", content: t }) }),
  "JSON inside a JSON string": (t) => ({
    redactor: json,
    input: JSON.stringify({ arguments: JSON.stringify({ command: t, cwd: "/tmp" }) }),
  }),
  "plain text": (t) => ({ redactor: text, input: t }),
};

describe("look-alikes survive untouched", () => {
  const alikes = lookAlikes(3, PER_KIND);

  it("the table is what it says: every kind, many instances each, values as written", () => {
    expect(LOOK_ALIKE_KINDS.length).toBeGreaterThanOrEqual(14);
    const perKind = Object.fromEntries(LOOK_ALIKE_KINDS.map((k) => [k, alikes.filter((a) => a.kind === k).length]));
    expect(perKind).toEqual(Object.fromEntries(LOOK_ALIKE_KINDS.map((k) => [k, PER_KIND])));
    for (const a of alikes) {
      expect(a.text, a.kind).toContain(a.value);
      // Verbatim in JSON (once or twice escaped) and in HTML: the push test looks for it there.
      expect(a.value, a.kind).toMatch(/^[ -~]+$/);
      expect(a.value, a.kind).not.toMatch(/["\\&<>']/);
    }
    // Distinct instances, not one repeated (a few kinds cycle through a short list of contexts).
    expect(new Set(alikes.filter((a) => a.kind === "git-sha").map((a) => a.value)).size).toBe(PER_KIND);
    expect(new Set(alikes.filter((a) => a.kind === "base64-image").map((a) => a.value)).size).toBe(PER_KIND);
    const shapes: Record<string, RegExp> = {
      uuid: /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
      "git-sha": /^[0-9a-f]{40}$/,
      "git-sha-short": /^[0-9a-f]{7,12}$/,
      "base64-image": /^data:image\/(png|jpeg);base64,[A-Za-z0-9+/]{200,}={0,2}$/,
      "lockfile-integrity": /^sha(512|1)-[A-Za-z0-9+/]+={1,2}$/,
      "oci-digest": /^sha256:[0-9a-f]{64}$/,
      "agent-id": /^(toolu_01|msg_01|req_011C|call_|chatcmpl-|resp_)[A-Za-z0-9]{20,48}$/,
      "hex-color": /^#([0-9a-f]{3}|[0-9a-f]{6})$/,
    };
    for (const [kind, shape] of Object.entries(shapes))
      for (const a of alikes.filter((x) => x.kind === kind)) expect(a.value, kind).toMatch(shape);
  });

  for (const [writing, write] of Object.entries(WRITINGS))
    it(`${writing}: kind → instances kept, all of them`, () => {
      const kept: Record<string, number> = {};
      const redacted: string[] = [];
      for (const a of alikes) {
        const { redactor, input } = write(a.text);
        const out = redactor.redactLine(input);
        if (out.hits.length === 0 && out.text === input) kept[a.kind] = (kept[a.kind] ?? 0) + 1;
        else redacted.push(`${a.kind} (${out.hits.join(", ")}): ${a.text.slice(0, 160)}`);
      }
      expect(redacted).toEqual([]);
      expect(kept).toEqual(Object.fromEntries(LOOK_ALIKE_KINDS.map((k) => [k, PER_KIND])));
    });

  it("streamed as one transcript with a real secret on every other line: those lines alone change", () => {
    const line = (i: number, t: string) =>
      JSON.stringify({ type: i % 2 ? "assistant" : "user", message: { content: [{ type: "text", text: t }] } });
    const secrets = alikes.map((_, i) => makeSecret(SECRET_KINDS[i % SECRET_KINDS.length] as string, i));
    const lines = alikes.flatMap((a, i) => [line(i, a.text), line(i, (secrets[i] as { text: string }).text)]);
    const s = json.stream();
    const out = Buffer.concat([s.write(Buffer.from(`${lines.join("\n")}\n`)), s.end()])
      .toString("utf8")
      .split("\n");
    for (let i = 0; i < alikes.length; i++) {
      expect(out[2 * i], alikes[i]?.kind).toBe(lines[2 * i]);
      for (const v of (secrets[i] as { values: string[] }).values) expect(out[2 * i + 1]).not.toContain(v);
    }
    expect([...s.counts.values()].reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(alikes.length);
  });
});

describe("look-alikes sharing every agent's transcripts with secrets", () => {
  const occurrences = (text: string, value: string) => text.split(value).length - 1;
  for (const carrier of carriers())
    it(`${carrier.agent} ${carrier.name}: secrets gone, each look-alike as often as planted`, () => {
      const planted = plantSecretsAndLookAlikes(carrier, 5);
      const s = json.stream();
      const out = Buffer.concat([s.write(Buffer.from(planted.text)), s.end()]).toString("utf8");
      for (const v of planted.secrets.flatMap((x) => x.values)) expect(out).not.toContain(v);
      for (const a of planted.alikes) expect(occurrences(out, a.value), a.kind).toBe(occurrences(planted.text, a.value));
      expect(planted.alikes.length).toBe(3 * planted.secrets.length);
    });
});
