// One small record on a server, put there the way the CLI does it (upload URL → PUT → metadata → search
// rows), for suites that attack what the app serves about it.
import { createHash, randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "../../api/local/server.ts";
import { callApi, type Target } from "./server.ts";

export interface SeededRecord {
  owner: string;
  repo: string;
  sessionId: string;
  sha: string;
  /** A word that finds the seeded message. */
  query: string;
  /** Text only the record holds: next to the query word in the message, and in the title and commit message. */
  secret: string;
}

export async function seedRecord(target: Target): Promise<SeededRecord> {
  const run = randomUUID().slice(0, 8);
  const record = {
    owner: `seed-${run}`,
    repo: `widgets-${run}`,
    sessionId: randomUUID(),
    sha: createHash("sha1").update(run).digest("hex"),
    query: `zqxquery${run}`,
    secret: `zqxsecret${run}`,
  };
  const base = readFileSync(join(ROOT, "e2e/fixtures/claude-code/basic.jsonl"), "utf8").trimEnd();
  const line = {
    type: "user",
    uuid: "seeded",
    parentUuid: null,
    sessionId: record.sessionId,
    timestamp: "2026-11-20T09:30:00.000Z",
    message: { role: "user", content: `${record.query} ${record.secret}` },
  };
  const data = `${base}\n${JSON.stringify(line)}\n`;
  const expectOk = async (what: string, res: Promise<Response>) => {
    const r = await res;
    if (r.status !== 200) throw new Error(`seeding: ${what} answered ${r.status}: ${await r.text()}`);
    return r;
  };
  const grant = await expectOk("upload-url", callApi(target, "POST", "/sessions/upload-url", { session_id: record.sessionId }));
  const { url } = (await grant.json()) as { url: string };
  await expectOk("upload", fetch(url, { method: "PUT", body: data, headers: { "content-type": "application/x-ndjson" } }));
  await expectOk(
    "metadata",
    callApi(target, "POST", "/sessions", {
      repo: { host: "github.com", owner: record.owner, name: record.repo },
      sessions: [
        {
          id: record.sessionId,
          agent: "claude-code",
          status: "ended",
          data_updated_at: Date.parse("2026-11-20T10:00:00Z"),
          byte_size: Buffer.byteLength(data),
          content_hash: `sha256:${createHash("sha256").update(data).digest("hex")}`,
          message_count: data.split("\n").filter(Boolean).length,
          title: `Title ${record.secret}`,
        },
      ],
      commits: [
        {
          sha: record.sha,
          message: `Fix it ${record.secret}`,
          author_name: "Dev",
          author_email: "dev@example.com",
          committed_at: Date.parse("2026-11-20T10:00:00Z"),
          branch: "main",
          files: [],
          sessions: [{ session_id: record.sessionId, position: { line: 100 } }],
        },
      ],
    }),
  );
  const docs = [{ i: 0, role: "user", text: `${record.query} ${record.secret}`, tools: "", files: "", commands: "", at: null, line: 0 }];
  await expectOk("search rows", callApi(target, "PUT", `/sessions/${record.sessionId}/search`, { docs }));
  return record;
}
