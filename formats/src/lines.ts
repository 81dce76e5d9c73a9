// Reading JSONL leniently: each line parsed on its own; a bad line becomes a notice, never an exception.
import type { Block, Message } from "./model.ts";
export interface Line {
  /** 1-based line number in the file. */
  n: number;
  value: Record<string, unknown>;
}

export interface ParsedLines {
  lines: Line[];
  bad: number[];
  truncatedTail: boolean;
}

export function parseJsonl(text: string): ParsedLines {
  const lines: Line[] = [];
  const bad: number[] = [];
  const raw = text.split("\n");
  raw.forEach((line, i) => {
    const parsed = parseLine(line, i + 1);
    if (parsed === "bad") bad.push(i + 1);
    else if (parsed) lines.push(parsed);
  });
  const last = raw.length > 0 && raw[raw.length - 1] === "" ? raw.length - 1 : raw.length;
  return { lines, bad, truncatedTail: bad.includes(last) && !text.endsWith("\n") };
}

/** One raw line numbered `n`: a record, "bad" when it is not a JSON object, null when blank. Streams read with it too. */
export function parseLine(line: string, n: number): Line | "bad" | null {
  if (!line.trim()) return null;
  try {
    const value = JSON.parse(line);
    return value && typeof value === "object" && !Array.isArray(value) ? { n, value } : "bad";
  } catch {
    return "bad";
  }
}

export function badLineNotices(parsed: ParsedLines): string[] {
  const notices: string[] = [];
  if (parsed.truncatedTail) notices.push("The transcript ends in the middle of a line (it was still being written); the rest is shown.");
  const others = parsed.bad.filter((n) => !(parsed.truncatedTail && n === parsed.bad[parsed.bad.length - 1]));
  if (others.length)
    notices.push(
      `${others.length} line(s) could not be read and are left out (line ${others.slice(0, 5).join(", ")}${others.length > 5 ? ", …" : ""}).`,
    );
  return notices;
}

export const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);
export const num = (v: unknown): number | undefined => (typeof v === "number" && Number.isFinite(v) ? v : undefined);
export const obj = (v: unknown): Record<string, unknown> | undefined =>
  v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
export const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

export function time(v: unknown): number | null {
  if (typeof v === "number" && Number.isFinite(v)) return v < 1e12 ? v * 1000 : v;
  if (typeof v === "string") {
    const t = Date.parse(v);
    return Number.isFinite(t) ? t : null;
  }
  return null;
}

/** Text of a content value that is a string or a list of text parts. */
export function textOf(content: unknown): string {
  if (typeof content === "string") return content;
  return arr(content)
    .map((part) => {
      const p = obj(part);
      return p && (p.type === "text" || p.type === "input_text" || p.type === "output_text") ? (str(p.text) ?? "") : "";
    })
    .filter(Boolean)
    .join("\n");
}

/** A record (or part of one) the mapper does not know, as one unknown block; see unknown-runs.ts. */
export function rawBlock(label: string, value: unknown) {
  let json: string;
  try {
    json = JSON.stringify(value, null, 2);
  } catch {
    json = String(value);
  }
  // Never ship megabytes of one unknown record to a page.
  if (json.length > 20_000) json = `${json.slice(0, 20_000)}\n… (${json.length - 20_000} more characters)`;
  return { kind: "unknown" as const, records: [{ label, json }] };
}

/**
 * The whole text as one JSON document, for formats that are (or once were) a single document rather than
 * JSONL. Undefined when it is not one: JSONL of more than one record fails to parse as a whole.
 */
export function jsonDocument(text: string): unknown {
  const start = text.trimStart()[0];
  if (start !== "{" && start !== "[") return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The label of a compaction's summary. The history before it stays where it was: nothing is replaced by it. */
export const COMPACTED = "Conversation compacted: summary (the messages before it are kept above)";

const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max)}…` : text);

function blockText(block: Block): string {
  switch (block.kind) {
    case "text":
    case "notice":
      return block.text;
    case "thinking":
      return `_Thinking:_ ${block.text}`;
    case "summary":
      return `${block.label}: ${block.text}`;
    case "tool_call":
      return `\`${block.name}\` ${clip(JSON.stringify(block.input) ?? "", 300)}${block.result ? `\n→ ${clip(block.result.output, 500)}` : ""}`;
    case "image":
      return "(image)";
    case "unknown":
      return "";
  }
}

const SPEAKER: Record<Message["role"], string> = { user: "User", assistant: "Assistant", system: "Note" };

/**
 * Messages the conversation moved away from (turns the user rewound, a branch left behind), kept as one
 * folded, labelled block: the reader can open it, search finds its words, and nothing said is lost.
 */
export function foldBlock(label: string, messages: Message[]): Block {
  const text = messages
    .map((m) => {
      const body = m.blocks.map(blockText).filter(Boolean).join("\n\n");
      return body ? `**${SPEAKER[m.role]}:** ${body}` : "";
    })
    .filter(Boolean)
    .join("\n\n");
  return { kind: "summary", label, text };
}
