// The OpenCode plugin that `residue setup opencode` writes to .opencode/plugins/residue.js. Pure: its text.
// OpenCode keeps sessions in SQLite and has no end event, so on every `session.idle` the plugin writes the
// session (as OpenCode's SDK returns it) to a JSONL file, one message a line with its time, and registers
// that file with residue; the file grows as the session does, and the idle sweep ends it. Teams commit it,
// so it names no path of this machine and does nothing where `residue` is not on PATH.
import { RESIDUE_ON_PATH_JS } from "../wiring.ts";

export const opencodePlugin = `// residue: records OpenCode sessions so \`git push\` uploads them with the commits they produced.
// Written by \`residue setup opencode\`; running it again rewrites this file. Does nothing where residue is not on PATH.
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, renameSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { delimiter, join } from "node:path";

${RESIDUE_ON_PATH_JS}
const DIR = join(process.env.XDG_DATA_HOME || join(homedir(), ".local", "share"), "residue", "opencode");
let queue = Promise.resolve();

function residue(args, cwd) {
  queue = queue.then(() => new Promise((resolve) => execFile("residue", args, { cwd, timeout: 10000 }, () => resolve())));
  return queue;
}

const iso = (ms) => (typeof ms === "number" ? new Date(ms).toISOString() : undefined);

export const Residue = async ({ client, directory }) => ({
  event: async ({ event }) => {
    if (event.type !== "session.idle" || !RESIDUE_ON_PATH) return;
    try {
      const id = event.properties.sessionID;
      const [info, messages] = await Promise.all([client.session.get({ path: { id } }), client.session.messages({ path: { id } })]);
      const lines = [JSON.stringify({ type: "session", timestamp: iso(info.data?.time?.created), info: info.data })];
      for (const m of messages.data ?? []) lines.push(JSON.stringify({ type: "message", timestamp: iso(m.info?.time?.created), info: m.info, parts: m.parts }));
      mkdirSync(DIR, { recursive: true });
      const file = join(DIR, id + ".jsonl");
      writeFileSync(file + ".tmp", lines.join("\\n") + "\\n");
      renameSync(file + ".tmp", file);
      await residue(["session", "start", "--agent", "opencode", "--data", file, "--id", id, "--cwd", directory], directory);
    } catch {
      // never in the agent's way
    }
  },
});
`;
