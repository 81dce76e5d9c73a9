// How fast the commit permalink opens on a huge conversation: a 5,000-message Claude Code session
// (2,500 turns, 6 KB tool outputs, 20 commits) against a small one, on the local app in workerd, in the
// same run. Reports response size and median time, and their ratios.
//   npm run bench
import { startTemporaryServer } from "../api/local/server.ts";
import { seed } from "../e2e/support/seed.ts";

const TURNS = Number(process.env.BENCH_TURNS ?? 2500);
const RUNS = Number(process.env.BENCH_RUNS ?? 15);
const server = await startTemporaryServer();
const secrets = server.secrets;
try {
  const seedStart = Date.now();
  const data = seed(server.url, secrets.AUTH_TOKEN, { long: TURNS });
  console.log(`seeded ${TURNS} turns (${TURNS * 2} messages) through the CLI in ${((Date.now() - seedStart) / 1000).toFixed(1)} s`);
  const auth = `Basic ${btoa(`${secrets.ADMIN_USERNAME}:${secrets.ADMIN_PASSWORD}`)}`;
  const pages = {
    "small session permalink": `/app/${data.owner}/widgets/${data.sessions.claudeBackoff?.shas[1]}`,
    "5,000-message permalink (commit 10 of 20)": `/app/${data.owner}/widgets/${data.sessions.long?.shas[9]}`,
  };
  const results: Record<string, { ms: number[]; bytes: number }> = {};
  for (let i = 0; i < RUNS + 2; i++) {
    for (const [name, path] of Object.entries(pages)) {
      const start = performance.now();
      const res = await fetch(`${server.url}${path}`, { headers: { authorization: auth } });
      const body = await res.arrayBuffer();
      const ms = performance.now() - start;
      if (res.status !== 200) throw new Error(`${name}: HTTP ${res.status}`);
      results[name] ??= { ms: [], bytes: body.byteLength };
      if (i >= 2) results[name].ms.push(ms);
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
  const [small, large] = Object.values(results) as [{ ms: number[]; bytes: number }, { ms: number[]; bytes: number }];
  console.log(`permalink, ${RUNS} interleaved requests each (median, same run)`);
  for (const [name, r] of Object.entries(results)) {
    console.log(`  ${name.padEnd(44)} ${median(r.ms).toFixed(1).padStart(7)} ms  ${(r.bytes / 1024).toFixed(1).padStart(8)} KB`);
  }
  console.log(
    `  ratio large/small: time ${(median(large.ms) / median(small.ms)).toFixed(2)}×, size ${(large.bytes / small.bytes).toFixed(2)}×`,
  );
} finally {
  await server.stop();
}
