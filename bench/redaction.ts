// Redaction speed: MB/s of the streaming redactor against plain gzip (level 6, as snapshots are written) of the
// same bytes in the same run, on one core, over a large transcript built from every agent's fixtures with
// secrets planted in. CPU time of this process is the measure (the machine is shared: wall time is also shown).
//   npm run bench:redaction           (BENCH_MB sets the size, default 64; BENCH_RUNS the runs, best kept)
import { gzipSync } from "node:zlib";
import { createRedactor } from "@residue/cli/redaction";
import { carriers, plantSecrets } from "../cli/test/support/redaction-corpus.ts";

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

if (import.meta.main) {
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
