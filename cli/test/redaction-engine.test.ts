// The redaction core, in-process and pure: synthetic secrets of every kind planted in transcripts of all five
// agents must be gone from the output, which stays valid JSON the mappers read the same way; look-alikes
// must come out untouched.
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { mapSession } from "@residue/formats";
import { describe, expect, it } from "vitest";
import { RedactionConfig, redactionOptions } from "../src/redaction/config.ts";
import { createRedactor, OVERLAP, type Redactor, WINDOW, withoutLeadingLazyClasses } from "../src/redaction/engine.ts";
import { GITLEAKS } from "../src/redaction/gitleaks-rules.ts";
import { redactionTransform } from "../src/redaction/index.ts";
import { blankEscapes } from "../src/redaction/text-view.ts";
import { carriers, lookAlikes, makeSecret, plantLookAlikes, plantSecrets, random, SECRET_KINDS } from "./support/redaction-corpus.ts";

/** Streams `text` through in chunks of `size` bytes, as a snapshot does, so chunk edges fall anywhere. */
function streamed(redactor: Redactor, text: string, size: number) {
  const s = redactor.stream();
  const bytes = Buffer.from(text);
  const out: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += size) out.push(s.write(bytes.subarray(i, i + size)));
  out.push(s.end());
  return { text: Buffer.concat(out).toString("utf8"), counts: s.counts };
}

const json = createRedactor({ format: "json" });
const hitsOf = (counts: Map<string, number>) => [...counts.values()].reduce((a, b) => a + b, 0);

describe("secrets planted in every agent's transcripts", () => {
  const all = carriers();

  it("covers all five agents, JSONL and whole-file JSON", () => {
    expect(new Set(all.map((c) => c.agent))).toEqual(new Set(["claude-code", "pi", "codex", "gemini", "opencode"]));
    expect(all.some((c) => c.whole && c.text.includes("\n"))).toBe(true);
    expect(all.some((c) => c.whole && !c.text.includes("\n"))).toBe(true);
  });

  for (const carrier of all) {
    it.each([1, 2, 3])(`${carrier.agent} ${carrier.name}: every secret is gone, the output parses and maps the same (seed %i)`, (seed) => {
      const planted = plantSecrets(carrier, seed);
      expect(new Set(planted.secrets.map((s) => s.kind)).size).toBe(Math.min(planted.secrets.length, SECRET_KINDS.length));
      const values = planted.secrets.flatMap((s) => s.values);
      // The corpus really holds them, escaped once or twice, and the mapper renders them.
      for (const v of values) expect(planted.text).toContain(v);

      const out = streamed(json, planted.text, 997);
      const survivors = values.filter((v) => out.text.includes(v));
      expect(survivors).toEqual([]);
      if (carrier.whole) JSON.parse(out.text);
      else for (const line of out.text.split("\n").filter(Boolean)) JSON.parse(line);
      expect(out.text.split("\n").length).toBe(planted.text.split("\n").length);
      const before = mapSession(carrier.agent, planted.text);
      const after = mapSession(carrier.agent, out.text);
      expect(before.messages.length).toBeGreaterThan(0);
      expect(after.messages.length).toBe(before.messages.length);
      expect(after.notices).toEqual(before.notices);
      expect(JSON.stringify(after.messages)).toContain("[REDACTED:");
    });

    it(`${carrier.agent} ${carrier.name}: look-alikes and the fixture itself come out byte for byte`, () => {
      const alikes = plantLookAlikes(carrier);
      const out = streamed(json, alikes, 4096);
      expect([...out.counts]).toEqual([]);
      expect(out.text).toBe(alikes);
      expect(streamed(json, carrier.text, 65536).text).toBe(carrier.text);
    });
  }

  it("the same in one write as in small chunks", () => {
    const planted = plantSecrets(all[0] as (typeof all)[0], 3);
    expect(streamed(json, planted.text, 7).text).toBe(streamed(json, planted.text, 1 << 20).text);
  });
});

describe("inside JSON strings", () => {
  const redact = (value: unknown) => {
    const line = JSON.stringify(value);
    const out = json.redactLine(line);
    return { ...out, value: JSON.parse(out.text) as unknown };
  };

  it("replaces the secret itself, keeps the key and the shape", () => {
    const key = makeSecret("github-classic", 0).values[0] as string;
    const { value, hits } = redact({ a: [`token ${key} here`, 1], b: { c: "x" } });
    expect(value).toEqual({ a: ["token [REDACTED:github-pat] here", 1], b: { c: "x" } });
    expect(hits).toEqual(["github-pat"]);
  });

  it('never cuts an escape: secrets next to \\n, \\", \\u escapes and backslashes', () => {
    const key = makeSecret("anthropic", 1).values[0] as string;
    for (const text of [`\n${key}\n`, `"${key}"`, `\u0001${key}\u0002`, `\t${key}\r\n`, `é ${key} ü`, `\\n${key}\\"`]) {
      const { value, hits } = redact({ text });
      expect(hits.length).toBe(1);
      expect(JSON.stringify(value)).not.toContain(key);
    }
  });

  it("a key block inside one string, lines joined by \\n escapes, also when cut short", () => {
    const block = makeSecret("private-key", 2);
    const truncated = block.text.split("\n").slice(0, 4).join("\n");
    for (const text of [block.text, truncated, `cat id_rsa\n${block.text}\nexit 0`]) {
      const { value } = redact({ output: text });
      for (const v of block.values.slice(0, 2)) expect(JSON.stringify(value)).not.toContain(v);
    }
  });

  it("a secret in a JSON document inside a string, escaped twice", () => {
    const secret = makeSecret("generic-near-keyword", 0).values[0] as string;
    const inner = JSON.stringify({ arguments: JSON.stringify({ env: { AWS_SECRET_ACCESS_KEY: secret, api_key: secret } }) });
    const { text } = json.redactLine(JSON.stringify({ payload: inner }));
    expect(text).not.toContain(secret);
    const args = JSON.parse(JSON.parse(JSON.parse(text).payload).arguments);
    expect(args.env.api_key).toMatch(/^\[REDACTED:[a-z-]+\]$/);
  });

  it("numbers, literals and structure are never replaced, only string contents", () => {
    const line = JSON.stringify({ password: 123456789012, token: true, secret: null, key: [1234567890123456] });
    const out = json.redactLine(line);
    expect(JSON.parse(out.text)).toEqual(JSON.parse(line));
  });
});

describe("next to text that is not ASCII", () => {
  const key = makeSecret("github-classic", 9).values[0] as string;
  const aws = makeSecret("aws-secret-access-key", 9).values[0] as string;

  it("secrets between multi-byte characters go, the characters stay whole", () => {
    for (const t of [`clé: ${key} — voilà ✓ 😀`, `à${key}à`, `日本語 AWS_SECRET_ACCESS_KEY=${aws}\nàé`, `\u00a0${key}\u00a0 ठ à`]) {
      const line = JSON.stringify({ t });
      const out = json.redactLine(line);
      expect(out.hits.length, t).toBe(1);
      const back = JSON.parse(out.text).t as string;
      expect(back).not.toContain(key);
      expect(back).not.toContain(aws);
      // Everything around the secret is unchanged.
      expect(back.replace(/\[REDACTED:[a-z-]+\]/, "")).toBe(t.replace(key, "").replace(aws, ""));
    }
  });

  it("a pattern of the user's in other characters than ASCII, or naming them by escape, finds them", () => {
    const redactor = createRedactor({
      format: "json",
      patterns: [
        { name: "mot", regex: "Passwört=\\S+" },
        { name: "esc", regex: "\\u00e4[0-9]{4}" },
      ],
    });
    const out = redactor.redactLine(JSON.stringify({ t: `Passwört=abc123 und ä1234 und ${key} 😀` }));
    expect(JSON.parse(out.text).t).toBe("[REDACTED:mot] und [REDACTED:esc] und [REDACTED:github-pat] 😀");
  });
});

describe("text mode, for titles, prompts and search rows", () => {
  const text = createRedactor({ format: "text" });
  it("redacts anywhere", () => {
    const url = "postgres://app:Sup3rS3cret9@db:5432/app";
    expect(text.redactLine(`connect to ${url}`).text).toBe("connect to postgres://app:[REDACTED:url-credentials]@db:5432/app");
  });
  it("leaves plain prose alone", () => {
    const line = "Fix the token refresh: the secret name comes from the key vault.";
    expect(text.redactLine(line)).toEqual({ text: line, hits: [] });
  });
});

describe("a whole-file JSON document on one line, longer than a window", () => {
  it("is redacted window by window, stays valid, with secrets at the window edges gone", () => {
    const secrets = SECRET_KINDS.map((k, i) => makeSecret(k, i + 50));
    const messages: string[] = [];
    let length = 0;
    for (let i = 0; length < 2.5 * WINDOW; i++) {
      const m = `${"filler text ".repeat(900 + (i % 7) * 13)}${(secrets[i % secrets.length] as { text: string }).text}`;
      messages.push(m);
      length += m.length;
    }
    // Also right where the first cut falls.
    messages.splice(3, 0, `${"y".repeat(WINDOW - OVERLAP - 40)} ${secrets[2]?.text}`);
    const doc = JSON.stringify({
      info: { id: "big" },
      messages: messages.map((text) => ({ info: { role: "user" }, parts: [{ type: "text", text }] })),
    });
    expect(doc.includes("\n")).toBe(false);
    const out = streamed(json, doc, 65536);
    const parsed = JSON.parse(out.text);
    expect(parsed.messages.length).toBe(messages.length);
    for (const v of secrets.flatMap((s) => s.values)) expect(out.text).not.toContain(v);
  });
});

describe("a JSONL line longer than a window, between ordinary lines", () => {
  it("each line parses and its secrets are gone, before and after the long one", () => {
    const secret = (k: string, n: number) => makeSecret(k, n);
    const small = (n: number) => JSON.stringify({ type: "user", text: secret("slack", n).text });
    // A long tool output that ends inside a string at a window edge more than once.
    const long = JSON.stringify({
      type: "tool",
      output: Array.from({ length: 40 }, (_, i) => `${"z".repeat(70_000)} ${secret("npm", i).text}`).join("\n"),
    });
    const text = `${small(1)}\n${long}\n${small(2)}\n`;
    const out = streamed(json, text, 65536);
    const lines = out.text.split("\n").filter(Boolean);
    expect(lines.length).toBe(3);
    for (const line of lines) JSON.parse(line);
    for (const n of [1, 2]) expect(out.text).not.toContain(secret("slack", n).values[0]);
    for (let i = 0; i < 40; i++) expect(out.text).not.toContain(secret("npm", i).values[0]);
  });
});

describe("user control", () => {
  it("extra patterns and allow-listed values, from both configs", () => {
    const user = RedactionConfig.parse({ patterns: [{ name: "acme-ticket-key", regex: "ACME-KEY-[0-9]{6}" }] });
    const kept = makeSecret("generic-near-keyword", 0);
    const repo = RedactionConfig.parse({ allow: { strings: kept.values } });
    const redactor = createRedactor(redactionOptions("json", [user, repo]));
    const line = JSON.stringify({ text: `use ACME-KEY-123456 then ${kept.text}` });
    const out = redactor.redactLine(line);
    expect(JSON.parse(out.text).text).toBe(`use [REDACTED:acme-ticket-key] then ${kept.text}`);
    expect(createRedactor(redactionOptions("json", [user])).redactLine(line).hits.length).toBe(2);
  });

  it("allow-listed regexes of any shape: named groups, back-references, flags inline", () => {
    const key = makeSecret("github-classic", 5).values[0] as string;
    const line = `token ${key}`;
    for (const regexes of [["(?<p>ghp)_.*", "(?<p>xyz)"], ["(g)hp_.*\\1?"], ["(?i:GHP_.*)"]])
      expect(createRedactor({ format: "text", allow: { regexes } }).redactLine(line).hits, regexes[0]).toEqual([]);
  });

  it("allow-listed regexes must match a whole value", () => {
    const key = makeSecret("github-classic", 4).values[0] as string;
    const line = `token ${key}`;
    expect(createRedactor({ format: "text", allow: { regexes: ["ghp_.*"] } }).redactLine(line).hits).toEqual([]);
    expect(createRedactor({ format: "text", allow: { regexes: ["ghp_"] } }).redactLine(line).hits).toEqual(["github-pat"]);
  });

  it("rejects names that could break JSON and regexes that do not compile", () => {
    expect(RedactionConfig.safeParse({ patterns: [{ name: 'x"y', regex: "a" }] }).success).toBe(false);
    expect(RedactionConfig.safeParse({ patterns: [{ name: "ok", regex: "(" }] }).success).toBe(false);
    expect(RedactionConfig.safeParse({ allow: { regexes: ["["] } }).success).toBe(false);
    expect(RedactionConfig.safeParse({ surprise: true }).success).toBe(false);
    expect(RedactionConfig.parse({})).toEqual({ patterns: [], allow: { strings: [], regexes: [] } });
    expect(() => createRedactor({ format: "json", patterns: [{ name: 'a"b', regex: "x" }] })).toThrow(/pattern name/);
  });
});

describe("counts", () => {
  it("per rule, over a stream", () => {
    const a = makeSecret("github-classic", 1);
    const b = makeSecret("slack", 1);
    const text = `${JSON.stringify({ t: a.text })}\n${JSON.stringify({ t: `${b.text} ${a.text}` })}\n`;
    const out = streamed(json, text, 5);
    expect(Object.fromEntries(out.counts)).toEqual({ "github-pat": 2, "slack-bot-token": 1 });
    expect(hitsOf(out.counts)).toBe(3);
  });
});

describe("as a stream stage", () => {
  const carrier = carriers()[0] as ReturnType<typeof carriers>[0];
  const planted = plantSecrets(carrier, 5);
  const expected = streamed(json, planted.text, 65536).text;
  const chunks = () =>
    Array.from({ length: Math.ceil(planted.text.length / 1000) }, (_, i) => Buffer.from(planted.text.slice(i * 1000, i * 1000 + 1000)));

  it("a Node Transform, as takeSnapshot's transforms take, reporting counts at the end", async () => {
    const out: Buffer[] = [];
    let counts = new Map<string, number>();
    await pipeline(
      Readable.from(chunks()),
      redactionTransform(json, (c) => {
        counts = c;
      }),
      async (source: AsyncIterable<Buffer>) => {
        for await (const c of source) out.push(c);
      },
    );
    expect(Buffer.concat(out).toString("utf8")).toBe(expected);
    expect(hitsOf(counts)).toBeGreaterThanOrEqual(planted.secrets.length);
  });

  it("an async generator over any async iterable of bytes or strings", async () => {
    const out: Uint8Array[] = [];
    async function* source() {
      yield planted.text.slice(0, 5000);
      yield* chunks().slice(5);
    }
    for await (const c of json.redactChunks(source())) out.push(c);
    expect(Buffer.concat(out).toString("utf8")).toBe(expected);
  });
});

describe("allow-list regexes, made cheaper to test", () => {
  it("cut the run of a class opening an alternative, also in a group that opens one; nothing else", () => {
    expect(withoutLeadingLazyClasses("(?:a|[a-z0-9-]*?api[a-z0-9-]*?:jar:|b)")).toBe("(?:a|api[a-z0-9-]*?:jar:|b)");
    expect(withoutLeadingLazyClasses("[x]*?foo|(?:[y]*?z)w")).toBe("foo|(?:z)w");
    expect(withoutLeadingLazyClasses("^[a-z]*?x")).toBe("^[a-z]*?x");
    expect(withoutLeadingLazyClasses("[a|b]*x|[\\]|]*?y")).toBe("x|y");
    // In JavaScript `[^]` is a whole class (any character).
    expect(withoutLeadingLazyClasses("[^]a]*?z")).toBe("[^]a]*?z");
    expect(withoutLeadingLazyClasses("[x]+foo|[y]+?z")).toBe("[x]foo|[y]z");
    expect(withoutLeadingLazyClasses("(?-i:(?:[A-Z_]+=\n[A-Z_]+=|b))")).toBe("(?-i:(?:[A-Z_]=\n[A-Z_]+=|b))");
    // Groups that repeat, lookarounds and back-references keep their runs.
    expect(withoutLeadingLazyClasses("(?:[x]+y)+z|(?=[a]*b)c|([a]+)\\1")).toBe("(?:[x]+y)+z|(?=[a]*b)c|([a]+)\\1");
  });

  it("gitleaks' generic allow-list says the same of every string tried", () => {
    const generic = GITLEAKS.rules.find((r) => r.id === "generic-api-key");
    const source = generic?.allow?.find((a) => a.target === "match")?.regexes[0];
    if (!source) throw new Error("gitleaks' generic rule has no match allow-list");
    const before = new RegExp(source.source, source.flags);
    const after = new RegExp(withoutLeadingLazyClasses(source.source), source.flags);
    expect(after.source.length).toBeLessThan(before.source.length);
    const tries = [
      "mvn-api-client:jar: 1.2.3",
      "rapid-api-key: 0123456789abcdef",
      "com.acme:my-api-sdk:jar:2.0",
      "api_key: Zx9Yw8Vu7Ts6Rq5Po4Nm3Lk2Ji1Hg0Fe",
      "primary_key = abcdef0123456789",
      "API_KEY=\nDB_PASSWORD=\n",
      "secret_token=\nother_value=",
      "some.key=\nnext.key=\nmore",
      "api_key: AB=\nCD=x",
      ...lookAlikes(2, 3).map((a) => a.text),
      ...SECRET_KINDS.map((k) => makeSecret(k, 3).text),
    ];
    for (const t of tries) expect(after.test(t), t).toBe(before.test(t));
  });
});

describe("JSON escapes read as spaces", () => {
  it("the constant-replacement passes give what one regex with a function gives, on any mix of escapes", () => {
    const one = (raw: string) =>
      raw.replace(/\\+(?:[nrt"]|u[0-9a-fA-F]{4})/g, (e) => (e.endsWith('"') ? `${" ".repeat(e.length - 1)}"` : " ".repeat(e.length)));
    const { next } = random(11);
    const alphabet = ["\\", "n", "r", "t", '"', "u", "0", "e", "9", "a", " ", "x"];
    for (let k = 0; k < 20_000; k++) {
      const raw = Array.from({ length: 1 + Math.floor(next() * 12) }, () => alphabet[Math.floor(next() * alphabet.length)]).join("");
      expect(blankEscapes(raw), raw).toBe(one(raw));
    }
  });
});
