// A server of the suite's own (the global setup has built the app): attacks that trip rate limits or
// flood the database must not disturb the suites sharing the global server.
import { startTemporaryServer } from "../../api/local/server.ts";

export async function startIsolatedServer(vars?: Record<string, string>) {
  let log = "";
  try {
    return await startTemporaryServer({ vars, onOutput: (s) => (log += s) });
  } catch (error) {
    console.error(log);
    throw error;
  }
}
