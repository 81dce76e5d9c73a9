// A smoke run of bench/redaction.ts on half a megabyte: the harness works and measures something. The
// figures themselves come from `npm run bench:redaction` (bench/RESULTS.md).
import { expect, it } from "vitest";
import { buildTranscript, runDetection, runRedactionBench } from "../../bench/redaction.ts";

it("the redaction bench runs, redacts and stays within a bounded output per write", () => {
  const f = runRedactionBench(0.5, 2, 1);
  expect(f.megabytes).toBeGreaterThanOrEqual(0.5);
  expect(f.redacted).toBeGreaterThan(0);
  expect(f.redactMBps).toBeGreaterThan(0);
  expect(f.gzipMBps).toBeGreaterThan(0);
  // A write emits about what it took in (64 KiB), however large the transcript.
  expect(f.maxWriteBytes).toBeLessThan(4 * 65536);
});

it("builds its transcript from every JSONL fixture, as valid JSONL", () => {
  const lines = buildTranscript(0.2, 3).toString("utf8").split("\n").filter(Boolean);
  for (const line of lines) JSON.parse(line);
  expect(lines.length).toBeGreaterThan(100);
});

it("measures detection and false positives the way the bench reports them", () => {
  const d = runDetection([1], 2);
  expect(d.planted).toBeGreaterThan(300);
  expect(d.missed).toEqual({});
  expect(d.found).toBe(d.planted);
  expect(d.lookAlikes).toBeGreaterThan(d.planted);
  expect(d.redacted).toEqual({});
});
