// Redaction speed: MB/s of the streaming redactor against plain gzip (level 6, as snapshots are written) of the
// same bytes in the same run, on one core, over a large transcript built from every agent's fixtures with
// secrets planted in. CPU time of this process is the measure (the machine is shared: wall time is also shown).
// The same run measures what the speed is for: secrets of the corpus found, look-alikes left alone.
//   npm run bench:redaction           (BENCH_MB sets the size, default 64; BENCH_RUNS the runs, best kept)
import { gzipSync } from "node:zlib";
import { createRedactor } from "@residue/cli/redaction";
import {
  carriers,
  LOOK_ALIKE_KINDS,
  lookAlikes,
  plantSecrets,
  plantSecretsAndLookAlikes,
  SECRET_KINDS,
} from "../cli/test/support/redaction-corpus.ts";

export interface RedactionFigures {
  megabytes: number;
  redactMBps: number;
  redactWallMBps: number;
  gzipMBps: number;
  gzipWallMBps: number;
  redacted: number;
  /** The largest output of one 64 KiB write: what the stream holds at once does not grow with the input. */
  maxWriteBytes: number;
}

/** A JSONL transcript of at least `megabytes`, every agent's lines mixed, one carrier in `plantEvery` planted with secrets. */
export function buildTranscript(megabytes: number, plantEvery: number): Buffer {
  const sources = carriers().filter((c) => !c.whole);
  const parts: string[] = [];
  let size = 0;
  for (let i = 0; size < megabytes * 1e6; i++) {
    const carrier = sources[i % sources.length] as (typeof sources)[0];
    const text = i % plantEvery === 0 ? plantSecrets(carrier, i).text : carrier.text.endsWith("\n") ? carrier.text : `${carrier.text}\n`;
    parts.push(text);
    size += Buffer.byteLength(text);
  }
  return Buffer.from(parts.join(""));
}

function timed<T>(run: () => T): { result: T; cpuMs: number; wallMs: number } {
  const wall = performance.now();
  const cpu = process.cpuUsage();
  const result = run();
  const used = process.cpuUsage(cpu);
  return { result, cpuMs: (used.user + used.system) / 1000, wallMs: performance.now() - wall };
}

/** `plantEvery` 25 puts a secret every ~12 KB, already more than real sessions hold; 2, one every ~1.3 KB, is a worst case. */
export function runRedactionBench(megabytes: number, plantEvery: number, runs = 3): RedactionFigures {
  const bytes = buildTranscript(megabytes, plantEvery);
  const mb = bytes.length / 1e6;
  const redactor = createRedactor({ format: "json" });
  const redactOnce = () => {
    const s = redactor.stream();
    let maxWrite = 0;
    for (let i = 0; i < bytes.length; i += 65536) maxWrite = Math.max(maxWrite, s.write(bytes.subarray(i, i + 65536)).length);
    s.end();
    return { maxWrite, redacted: [...s.counts.values()].reduce((a, b) => a + b, 0) };
  };
  const best = (run: () => unknown) => {
    const all = Array.from({ length: runs }, () => timed(run));
    return { cpuMs: Math.min(...all.map((t) => t.cpuMs)), wallMs: Math.min(...all.map((t) => t.wallMs)), last: all[all.length - 1] };
  };
  const redact = best(redactOnce);
  const gzip = best(() => gzipSync(bytes, { level: 6 }));
  const last = redact.last?.result as ReturnType<typeof redactOnce>;
  return {
    megabytes: mb,
    redactMBps: mb / (redact.cpuMs / 1000),
    redactWallMBps: mb / (redact.wallMs / 1000),
    gzipMBps: mb / (gzip.cpuMs / 1000),
    gzipWallMBps: mb / (gzip.wallMs / 1000),
    redacted: last.redacted,
    maxWriteBytes: last.maxWrite,
  };
}

export interface DetectionFigures {
  /** Secret values planted in every carrier (each line of a key block counts), and those gone from the output. */
  planted: number;
  found: number;
  missed: Record<string, number>;
  /** Look-alikes, planted beside the secrets and alone in each writing, and those changed in any way. */
  lookAlikes: number;
  redacted: Record<string, number>;
}

/**
 * Every carrier (all five agents, JSONL and whole-file JSON) with secrets and look-alikes planted for each
 * seed, streamed; then the look-alike table, `perKind` of each kind, as a JSON string, inside a JSON string
 * and as text.
 */
export function runDetection(seeds: number[], perKind: number): DetectionFigures {
  const json = createRedactor({ format: "json" });
  const text = createRedactor({ format: "text" });
  const f: DetectionFigures = { planted: 0, found: 0, missed: {}, lookAlikes: 0, redacted: {} };
  const count = (into: Record<string, number>, kind: string) => {
    into[kind] = (into[kind] ?? 0) + 1;
  };
  const occurrences = (haystack: string, needle: string) => haystack.split(needle).length - 1;
  for (const carrier of carriers())
    for (const seed of seeds) {
      const planted = plantSecretsAndLookAlikes(carrier, seed);
      const s = json.stream();
      const out = Buffer.concat([s.write(Buffer.from(planted.text)), s.end()]).toString("utf8");
      for (const secret of planted.secrets)
        for (const v of secret.values) {
          f.planted++;
          if (out.includes(v)) count(f.missed, secret.kind);
          else f.found++;
        }
      for (const a of planted.alikes) {
        f.lookAlikes++;
        if (occurrences(out, a.value) !== occurrences(planted.text, a.value)) count(f.redacted, a.kind);
      }
    }
  const writings = [
    (t: string) => json.redactLine(JSON.stringify({ type: "tool_result", content: t })).hits.length,
    (t: string) => json.redactLine(JSON.stringify({ arguments: JSON.stringify({ command: t }) })).hits.length,
    (t: string) => text.redactLine(t).hits.length,
  ];
  for (const seed of seeds)
    for (const a of lookAlikes(seed, perKind))
      for (const hits of writings) {
        f.lookAlikes++;
        if (hits(a.text)) count(f.redacted, a.kind);
      }
  return f;
}

if (import.meta.main) {
  const d = runDetection([1, 2, 3, 4, 5], 60);
  const pct = (a: number, b: number) => `${((100 * a) / b).toFixed(1)}%`;
  const list = (r: Record<string, number>) =>
    Object.entries(r)
      .map(([k, n]) => `${k} ${n}`)
      .join(", ") || "none";
  console.log(
    `Secrets found: ${d.found}/${d.planted} (${pct(d.found, d.planted)}; ${SECRET_KINDS.length} kinds, missed: ${list(d.missed)}).`,
  );
  console.log(
    `False positives: ${Object.values(d.redacted).reduce((a, b) => a + b, 0)} of ${d.lookAlikes} look-alikes of ${LOOK_ALIKE_KINDS.length} kinds redacted (${list(d.redacted)}).\n`,
  );
  const n = (x: number) => x.toFixed(1);
  console.log("| transcript | values redacted | redaction MB/s (CPU, wall) | gzip -6 MB/s (CPU, wall) | redaction ÷ gzip |");
  console.log("| --- | ---: | ---: | ---: | ---: |");
  for (const every of [25, 2]) {
    const f = runRedactionBench(Number(process.env.BENCH_MB ?? 64), every, Number(process.env.BENCH_RUNS ?? 3));
    const density = `one secret per ${n((f.megabytes * 1000) / f.redacted)} KB${every === 2 ? " (worst case)" : ""}`;
    console.log(
      `| ${n(f.megabytes)} MB, ${density} | ${f.redacted} | ${n(f.redactMBps)}, ${n(f.redactWallMBps)} | ${n(f.gzipMBps)}, ${n(f.gzipWallMBps)} | ${n(f.redactMBps / f.gzipMBps)}× |`,
    );
    if (every === 25)
      console.log(
        `<!-- ${f.redactMBps >= 50 ? "meets" : "MISSES"} 50 MB/s; largest output of one 64 KiB write: ${f.maxWriteBytes} bytes -->`,
      );
  }
}
