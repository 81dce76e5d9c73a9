// What /proc says about the workerd processes under a local server (wrangler runs the Worker's workerd and a
// proxy's): their memory now and at peak, and a reset of the peak, so one batch of requests can be measured.
import { readdirSync, readFileSync, writeFileSync } from "node:fs";

/** The workerd processes descended from `root` (the wrangler the local server spawned). */
export function workerdPids(root: number): number[] {
  const parents = new Map<number, number>();
  const names = new Map<number, string>();
  for (const pid of readdirSync("/proc").filter((p) => /^\d+$/.test(p))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      names.set(Number(pid), stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")")));
      parents.set(Number(pid), Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]));
    } catch {
      // A process that ended while /proc was read.
    }
  }
  const under = (pid: number): boolean => pid === root || (pid > 1 && under(parents.get(pid) ?? 0));
  const found = [...names].filter(([pid, name]) => name === "workerd" && under(pid)).map(([pid]) => pid);
  if (found.length === 0) throw new Error("no workerd process under the local server");
  return found;
}

const statusField = (pid: number, field: "VmRSS" | "VmHWM") =>
  Number(new RegExp(`${field}:\\s+(\\d+)`).exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1]) / 1024;

/** Resident MB now, of the largest workerd (the Worker's). */
export const rssMb = (pids: number[]) => Math.max(...pids.map((pid) => statusField(pid, "VmRSS")));
/** Peak resident MB since the last reset. */
export const peakMb = (pids: number[]) => Math.max(...pids.map((pid) => statusField(pid, "VmHWM")));

/** Resets the peak to the current size (Linux: clear_refs 5), so the next peak is this batch's own. */
export function resetPeak(pids: number[]) {
  for (const pid of pids) writeFileSync(`/proc/${pid}/clear_refs`, "5");
}

/**
 * The workerd process that runs the app's Worker (wrangler starts it with an inspector; the other workerd is
 * wrangler's proxy in front of it).
 */
export function appWorkerdPid(pids: number[]): number {
  const app = pids.find((pid) => readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("--inspector-addr"));
  if (app === undefined) throw new Error("no workerd process runs the app under the local server");
  return app;
}

/**
 * CPU ms the process has used so far, all its threads (schedstat: nanoseconds on a CPU). The app's
 * workerd also runs local workerd's entry worker and its R2 and D1 simulators, so a difference over some
 * requests bounds the Worker's own CPU for them from above.
 */
export function cpuMs(pid: number): number {
  let ns = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, "utf8").split(" ")[0]);
    } catch {
      // A thread that ended while listed.
    }
  }
  return ns / 1e6;
}
