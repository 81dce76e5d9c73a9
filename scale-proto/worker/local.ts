// workerd under wrangler dev, as the project's tests run it, with local R2 persisted under /tmp/scale/state;
// and what /proc says about its CPU and memory.
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { peakMb, rssMb, workerdPids } from "../../bench/support/workerd-process.ts";

const TICK_MS = 1000 / Number(execFileSync("getconf", ["CLK_TCK"]).toString().trim());
const config = "/tmp/scale/wrangler.json";
writeFileSync(
  config,
  JSON.stringify({
    name: "scale-proto",
    main: "/tmp/scale/worker.js",
    compatibility_date: "2026-11-01",
    compatibility_flags: ["nodejs_compat"],
    r2_buckets: [{ binding: "B", bucket_name: "scale" }],
  }),
);

const freePort = () =>
  new Promise<number>((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });

/** workerd under wrangler dev, as the project's tests run it; local R2 persisted across scenarios. */
export async function start(): Promise<{ base: string; child: ChildProcess; log(): string; dispose(): Promise<void> }> {
  const port = await freePort();
  const child = spawn(
    "node_modules/.bin/wrangler",
    ["dev", "--config", config, "--ip", "127.0.0.1", "--port", String(port), "--persist-to", "/tmp/scale/state"],
    {
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    },
  );
  let log = "";
  child.stdout?.on("data", (d: Buffer) => {
    log += d;
  });
  child.stderr?.on("data", (d: Buffer) => {
    log += d;
  });
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 200; i++) {
    try {
      await fetch(`${base}/head?key=none`);
      break;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return {
    base,
    child,
    log: () => log,
    async dispose() {
      process.kill(-(child.pid as number), "SIGTERM");
      await new Promise((r) => child.once("exit", r));
    },
  };
}

// wrangler runs more than one workerd (the Worker's, a proxy's): CPU is summed, memory is the largest.
export const cpuMs = (pids: number[]) => pids.reduce((sum, pid) => sum + cpuOf(pid), 0);
export const status = (pids: number[], field: "VmRSS" | "VmHWM") => (field === "VmRSS" ? rssMb(pids) : peakMb(pids));
export { workerdPids as workerd };

const cpuOf = (pid: number) => {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(f[11]) + Number(f[12])) * TICK_MS;
};
