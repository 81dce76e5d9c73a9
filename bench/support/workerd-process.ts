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
