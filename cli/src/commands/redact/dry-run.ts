// What redaction would remove from a transcript, shown without showing it: each hit is the redacted line around
// its `[REDACTED:<rule>]` mark, so the secret itself is never printed.
import { createInterface } from "node:readline";
import type { Readable } from "node:stream";
import type { Redactor } from "../../redaction/index.ts";

/** Characters of the redacted line shown on each side of a mark. */
export const CONTEXT = 40;

export interface Hit {
  line: number;
  rule: string;
  context: string;
}

export interface DryRun {
  counts: Record<string, number>;
  total: number;
  hits: Hit[];
}

const MARK = /\[REDACTED:([a-z0-9-]+)\]/g;

/** Each mark in an already redacted line, with up to CONTEXT characters of that line around it. */
export function maskedHits(redacted: string, line: number): Hit[] {
  return [...redacted.matchAll(MARK)].map((m) => {
    const from = Math.max(0, m.index - CONTEXT);
    const to = Math.min(redacted.length, m.index + m[0].length + CONTEXT);
    const context = `${from > 0 ? "…" : ""}${redacted.slice(from, to)}${to < redacted.length ? "…" : ""}`;
    return { line, rule: m[1] as string, context };
  });
}

/** Redacts the data line by line, keeping only the counts and the masked hits. */
export async function dryRun(data: Readable, redactor: Redactor): Promise<DryRun> {
  const counts: Record<string, number> = {};
  const hits: Hit[] = [];
  let line = 0;
  for await (const text of createInterface({ input: data, crlfDelay: Number.POSITIVE_INFINITY })) {
    line++;
    const result = redactor.redactLine(text);
    if (result.hits.length === 0) continue;
    for (const rule of result.hits) counts[rule] = (counts[rule] ?? 0) + 1;
    hits.push(...maskedHits(result.text, line));
  }
  return { counts, total: Object.values(counts).reduce((a, b) => a + b, 0), hits };
}

/** `github-pat 1, acme-customer 2`, most first. */
export const countsText = (counts: Record<string, number>) =>
  Object.entries(counts)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([rule, n]) => `${rule} ${n}`)
    .join(", ");
