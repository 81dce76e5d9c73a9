// Hardening tests report what they measured (counts, throughput, bounds) here. `npm run test:hardening`
// sets HARDENING_FIGURES to a directory and turns the files into HARDENING.md; plain `npm test` writes
// nothing, so CI runs the same tests without touching the tree.
import { appendFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";

export interface Figure {
  /** The suite's section in HARDENING.md, e.g. "Faults during push". */
  section: string;
  /** What was measured, one row of that section's table. */
  what: string;
  /** The figure, with its unit: "0 × 5xx of 10,000", "1,840 posts/s". */
  result: string;
}

export function recordFigure(figure: Figure): void {
  const dir = process.env.HARDENING_FIGURES;
  if (!dir) return;
  mkdirSync(dir, { recursive: true });
  appendFileSync(join(dir, `${process.pid}.jsonl`), `${JSON.stringify(figure)}\n`);
}

/**
 * How much of a load or fuzz test to run: the full volume when measuring for HARDENING.md, a fifth or so in
 * plain `npm test`, which checks the same properties (no errors, every row once) and keeps CI quick.
 */
export function volume(full: number, quick: number): number {
  return process.env.HARDENING_FIGURES ? full : quick;
}

export const count = (n: number) => n.toLocaleString("en-US");
