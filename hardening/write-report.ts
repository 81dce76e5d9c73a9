// Turns the figures the hardening tests recorded (hardening/support/figures.ts) into HARDENING.md.
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Figure } from "./support/figures.ts";

const dir = process.env.HARDENING_FIGURES;
if (!dir) throw new Error("HARDENING_FIGURES is not set: run `npm run test:hardening`.");
const figures: Figure[] = readdirSync(dir)
  .filter((f) => f.endsWith(".jsonl"))
  .flatMap((f) => readFileSync(join(dir, f), "utf8").split("\n").filter(Boolean))
  .map((line) => JSON.parse(line) as Figure);

const sections = new Map<string, Figure[]>();
for (const f of figures) sections.set(f.section, [...(sections.get(f.section) ?? []), f]);

const cell = (s: string) => s.replace(/\|/g, "\\|");
const out = [
  "# Hardening figures",
  "",
  `Written by \`npm run test:hardening\` on ${new Date().toISOString().slice(0, 10)} (this 2-core machine, loopback only).`,
  "Every row is a test that fails if its property breaks; the figures are what that run measured.",
];
for (const [section, rows] of [...sections].sort(([a], [b]) => a.localeCompare(b))) {
  out.push("", `## ${section}`, "", "| what | result |", "| --- | --- |");
  for (const r of rows) out.push(`| ${cell(r.what)} | ${cell(r.result)} |`);
}
writeFileSync(resolve(import.meta.dirname, "..", "HARDENING.md"), `${out.join("\n")}\n`);
console.log(`HARDENING.md: ${figures.length} figures in ${sections.size} sections`);
