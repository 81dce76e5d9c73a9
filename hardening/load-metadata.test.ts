// Bounded load on loopback, on a server of its own: 10,000 metadata posts (2,000 in plain `npm test`). Reports throughput; the
// properties are no errors and every row present exactly once.
import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { count, recordFigure, volume } from "./support/figures.ts";
import { rate, LOAD_SECTION as SECTION, stored, upload } from "./support/load.ts";
import { callApi, dedicatedServer, pool } from "./support/server.ts";

const server = dedicatedServer();
const POSTS = volume(10_000, 2_000);

describe("load on loopback", () => {
  it(`takes ${count(POSTS)} metadata posts, 16 at a time, without an error, and stores each once`, async () => {
    const target = server();
    const owner = `load-${randomUUID().slice(0, 8)}`;
    const posts = Array.from({ length: POSTS }, (_, i) => upload(owner, i));
    const started = performance.now();
    const statuses = await pool(posts, 16, async (p) => (await callApi(target, "POST", "/sessions", p.body)).status);
    const ms = performance.now() - started;
    const errors = statuses.filter((s) => s !== 200).length;
    recordFigure({
      section: SECTION,
      what: `${count(POSTS)} metadata posts (1 session + 1 commit each), 16 concurrent`,
      result: `${rate(POSTS, ms)}, ${errors} errors`,
    });
    expect(errors).toBe(0);
    expect(await stored(target, owner)).toEqual({ sessions: POSTS, commits: POSTS, links: POSTS });
  }, 900_000);
});
