// Which formats need whole-file context to map a window? For every version fixture of every JSONL format,
// every window of messages [a, b] is mapped from its lines alone — lines line(a−1)+1 … line(b+1)−1, no
// structure pass, no skip set — and compared with the same messages of the whole-file mapping (index and
// fold taken from the whole mapping, as the index would give them). A window that differs needs context.
//   node scale-proto/fixture-windows.ts
import { readdirSync, readFileSync } from "node:fs";
import { mapSession } from "@residue/formats";
import type { Message } from "@residue/formats/model";

const strip = (m: Message) => JSON.stringify({ ...m, index: 0, fold: undefined });
console.log("| fixture | messages | windows | differ without context | first differing window |");
console.log("|---|---|---|---|---|");
for (const agent of ["claude-code", "codex", "gemini", "opencode", "pi"]) {
  const base = `e2e/fixtures/${agent}/versions`;
  for (const file of readdirSync(base).filter((f) => f.endsWith(".jsonl"))) {
    const text = readFileSync(`${base}/${file}`, "utf8");
    const lines = text.split("\n");
    const full = mapSession(agent, text).messages;
    const last = lines.at(-1) === "" ? lines.length - 1 : lines.length;
    let windows = 0;
    let differ = 0;
    let first = "";
    for (let a = 0; a < full.length; a++) {
      for (let b = a; b < full.length; b++) {
        windows++;
        const from = a > 0 ? (full[a - 1] as Message).line + 1 : 1;
        const to = b + 1 < full.length ? (full[b + 1] as Message).line - 1 : last;
        // Blank lines keep the window's line numbers equal to the file's.
        const window = lines.map((l, i) => (i + 1 >= from && i + 1 <= to ? l : "")).join("\n");
        const mapped = mapSession(agent, window).messages.filter((m) => full.slice(a, b + 1).some((f) => f.line === m.line));
        const want = full.slice(a, b + 1);
        if (mapped.length !== want.length || mapped.some((m, i) => strip(m) !== strip(want[i] as Message))) {
          differ++;
          first ||= `[${a}, ${b}]`;
        }
      }
    }
    console.log(`| ${agent}/${file} | ${full.length} | ${windows} | ${differ} | ${first || "—"} |`);
  }
}
