// Is a streamed response's memory constant in local workerd? Peak RSS after streaming N MB made in the
// Worker (no R2), and after streaming an R2 object of ~96 MB as it is stored.
//   node scale-proto/worker/stream-memory.ts big.jsonl.single.gz [MB sizes, default 10,100,300]
import { execFileSync } from "node:child_process";
import { start, status, workerd } from "./local.ts";

const [key = "big.jsonl.single.gz", sizes = "10,100,300"] = process.argv.slice(2);
const run = await start();
try {
  const pids = workerd(run.child.pid as number);
  await fetch(`${run.base}/head?key=none`);
  const peaks: string[] = [`start ${status(pids, "VmHWM").toFixed(0)}`];
  for (const mb of sizes.split(",").map(Number)) {
    execFileSync("curl", ["-sS", "-o", "/dev/null", `${run.base}/synthetic?mb=${mb}`]);
    peaks.push(`${mb} MB made in the Worker ${status(pids, "VmHWM").toFixed(0)}`);
  }
  execFileSync("curl", ["-sS", "-o", "/dev/null", `${run.base}/raw?data=${key}`]);
  peaks.push(`R2 object ${key} streamed ${status(pids, "VmHWM").toFixed(0)}`);
  console.log(`workerd peak RSS MB: ${peaks.join(" → ")}`);
} finally {
  await run.dispose();
}
