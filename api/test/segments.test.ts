// Sessions stored in segments (protocol/src/layout.ts) against real workerd with local D1 and R2: upload URLs
// for layout objects, the metadata post that checks and merges a push, the reads the CLI's range reader
// uses, the raw download both ways, and deletion.
import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { get as httpGet } from "node:http";
import { promisify } from "node:util";
import { gunzipSync } from "node:zlib";
import { LAYOUT_CONFLICT, type LayoutManifest } from "@residue/protocol";
import { layoutObjectKey, sessionPrefix, wholeObjectKey } from "@residue/store";
import { describe, expect, inject, it } from "vitest";
import { api, baseUrl, json, postJson, sessionMeta, uniqueRepo, uploadData } from "./support/client.ts";
import { storedObjectKeys } from "./support/r2-objects.ts";
import { emptyRun, jsonLines, nextPush, type Push, postPush, putObject, uploadPush } from "./support/segments.ts";

const layoutOf = async (id: string) =>
  (await json(await api(`/sessions/${id}/layout`))) as { layout: string; manifest: LayoutManifest | null };

/** A session of two pushes (the second re-maps from the middle of a stored page), both stored. */
async function grownSession() {
  const id = randomUUID();
  const first = nextPush(emptyRun(), jsonLines("first", 7));
  await uploadPush(id, first);
  expect((await postPush(id, first)).status).toBe(200);
  const second = nextPush(first.after, jsonLines("second", 5, 7), { remapFrom: 4 });
  await uploadPush(id, second);
  const res = await postPush(id, second);
  expect(res.status, await res.clone().text()).toBe(200);
  return { id, first, second, answer: await json(res) };
}

/** The body exactly as sent (no client inflation), with its headers: what curl without --compressed sees. */
function rawGet(
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = httpGet(`${baseUrl()}${path}`, { headers: { authorization: `Bearer ${inject("authToken")}`, ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on("error", reject);
    });
    req.on("error", reject);
  });
}

const run = promisify(execFile);

describe("upload URLs for layout objects", () => {
  it("sign the exact key of one object, usable once", async () => {
    const id = randomUUID();
    const res = await postJson("/sessions/upload-url", { session_id: id, object: { generation: 3, push: 7, kind: "index" } });
    expect(res.status).toBe(200);
    const { url } = (await res.json()) as { url: string };
    expect(new URL(url).pathname).toBe(`/api/uploads/${id}/3/i7`);
    expect((await fetch(url, { method: "PUT", body: "x" })).status).toBe(200);
    expect((await fetch(url, { method: "PUT", body: "x" })).status).toBe(403);
    expect(storedObjectKeys(inject("persistTo")).has(layoutObjectKey(id, { generation: 3, push: 7, kind: "index" }))).toBe(true);
    // The same signature does not open another object's key.
    const moved = new URL(url);
    moved.pathname = `/api/uploads/${id}/3/c7`;
    expect(((await json(await fetch(moved, { method: "PUT", body: "x" }))).error as { code: string }).code).toBe("invalid_signature");
    for (const name of ["3/x7", "0/c1", "3/c07", "3/c-1", "3/c99999"])
      expect((await fetch(`${baseUrl()}/api/uploads/${id}/${name}${new URL(url).search}`, { method: "PUT", body: "x" })).status).toBe(404);
  });

  it("refuse a deleted session's objects with 410", async () => {
    const { id } = await grownSession();
    expect((await api(`/sessions/${id}`, { method: "DELETE" })).status).toBe(200);
    const res = await postJson("/sessions/upload-url", { session_id: id, object: { generation: 1, push: 2, kind: "chunk" } });
    expect(res.status).toBe(410);
  });
});

describe("a push in segments", () => {
  it("is stored and confirmed on its first push and on growth, and served back byte for byte", async () => {
    const id = randomUUID();
    const first = nextPush(emptyRun(), jsonLines("first", 7));
    await uploadPush(id, first);
    const post = await postPush(id, first);
    expect(post.status).toBe(200);
    expect((await json(post)).stored).toEqual([
      { id, generation: 1, pushes: 1, raw_size: first.after.raw.length, crc32: first.after.crc32 },
    ]);
    const second = nextPush(first.after, jsonLines("second", 5, 7), { remapFrom: 4 });
    await uploadPush(id, second);
    const grown = await postPush(id, second);
    expect(grown.status).toBe(200);
    expect((await json(grown)).stored).toEqual([
      { id, generation: 1, pushes: 2, raw_size: second.after.raw.length, crc32: second.after.crc32 },
    ]);

    const { layout, manifest } = await layoutOf(id);
    expect(layout).toBe("segments-v2");
    expect(manifest?.chunks.map((c) => c.push)).toEqual([0, 1]);
    // Page [3, 6) of push 0 is cut to [3, 4) by the re-map from message 4; push 1's pages follow.
    expect(manifest?.pages.map((p) => [p.push, p.first_message, p.messages])).toEqual([
      [0, 0, 3],
      [0, 3, 1],
      [1, 4, 3],
      [1, 7, 3],
      [1, 10, 2],
    ]);
    expect(manifest?.messages).toBe(12);

    // A retry of the same post (its answer lost) changes nothing and confirms the same.
    const replay = await postPush(id, second);
    expect(replay.status).toBe(200);
    expect((await json(replay)).stored[0].pushes).toBe(2);

    const transcript = second.after.raw.toString();
    expect(await (await api(`/sessions/${id}`)).text()).toBe(transcript);
    expect(await (await api(`/sessions/${id}?plain=1`)).text()).toBe(transcript);
    const raw = await rawGet(`/api/sessions/${id}`, { "accept-encoding": "deflate;q=1, gzip;q=0.5" });
    expect(raw.headers["content-encoding"]).toBe("gzip");
    expect(raw.headers["content-type"]).toBe("text/plain; charset=utf-8");
    expect(raw.headers.vary).toBe("accept-encoding");
    expect(Number(raw.headers["content-length"])).toBe(raw.body.length);
    expect(gunzipSync(raw.body).toString()).toBe(transcript);
    // Plain when asked, and for a client that takes no gzip: none named, identity only, gzip refused. (A
    // client that takes gzip or br may get a plain answer compressed on the way by Cloudflare's edge, as
    // local workerd's entry worker does too.)
    for (const [query, headers] of [
      ["?plain=1", { "accept-encoding": "identity" }],
      ["", {}],
      ["", { "accept-encoding": "identity" }],
      ["", { "accept-encoding": "gzip;q=0, deflate" }],
    ] as const) {
      const plain = await rawGet(`/api/sessions/${id}${query}`, headers);
      expect(plain.headers["content-encoding"], `${query} ${JSON.stringify(headers)}`).toBeUndefined();
      expect(Number(plain.headers["content-length"])).toBe(Buffer.byteLength(transcript));
      expect(plain.body.toString()).toBe(transcript);
    }
    const curlPlain = await run(
      "curl",
      ["-sS", "--fail", "-H", `authorization: Bearer ${inject("authToken")}`, `${baseUrl()}/api/sessions/${id}`],
      {
        encoding: "buffer",
        maxBuffer: 1 << 26,
      },
    );
    expect(curlPlain.stdout.toString()).toBe(transcript);
    const curl = await run(
      "curl",
      ["-sS", "--fail", "--compressed", "-H", `authorization: Bearer ${inject("authToken")}`, `${baseUrl()}/api/sessions/${id}`],
      {
        encoding: "buffer",
        maxBuffer: 1 << 26,
      },
    );
    expect(curl.stdout.toString()).toBe(transcript);
  });

  it("serves a large session exactly both ways (many segments and pulls)", async () => {
    const id = randomUUID();
    const lines = jsonLines("large", 20_000);
    let push = nextPush(emptyRun(), lines.slice(0, 12_000), { pageSize: 4000 });
    await uploadPush(id, push);
    expect((await postPush(id, push)).status).toBe(200);
    push = nextPush(push.after, lines.slice(12_000), { pageSize: 4000 });
    await uploadPush(id, push);
    expect((await postPush(id, push)).status).toBe(200);
    const transcript = push.after.raw;
    expect(Buffer.from(await (await api(`/sessions/${id}`)).arrayBuffer()).equals(transcript)).toBe(true);
    expect(Buffer.from(await (await api(`/sessions/${id}?plain=1`)).arrayBuffer()).equals(transcript)).toBe(true);
    expect(gunzipSync((await rawGet(`/api/sessions/${id}`, { "accept-encoding": "gzip" })).body).equals(transcript)).toBe(true);
  });

  it("starts a new generation that replaces everything, and deletes the objects it replaced", async () => {
    const { id, second } = await grownSession();
    const fresh = nextPush(emptyRun(2), jsonLines("rewritten", 4));
    await uploadPush(id, fresh);
    const res = await postPush(id, fresh);
    expect(res.status).toBe(200);
    expect((await json(res)).stored).toEqual([
      { id, generation: 2, pushes: 1, raw_size: fresh.after.raw.length, crc32: fresh.after.crc32 },
    ]);
    const keys = [...storedObjectKeys(inject("persistTo"))].filter((k) => k.startsWith(sessionPrefix(id))).sort();
    expect(keys).toEqual([`${sessionPrefix(id)}g2/c0`, `${sessionPrefix(id)}g2/i0`]);
    expect(await (await api(`/sessions/${id}`)).text()).toBe(fresh.after.raw.toString());
    expect(second.after.raw.length).toBeGreaterThan(0);
    // A push of the replaced generation no longer follows.
    const stale = nextPush(second.after, jsonLines("stale", 2, 12));
    const conflict = await postPush(id, stale);
    expect(conflict.status).toBe(409);
    expect((await json(conflict)).error.code).toBe(LAYOUT_CONFLICT);
  });

  it("of the same number posted twice at once: one wins, the other gets 409 and nothing of it is stored", async () => {
    for (let round = 0; round < 4; round++) {
      const id = randomUUID();
      const first = nextPush(emptyRun(), jsonLines("race", 5));
      await uploadPush(id, first);
      expect((await postPush(id, first)).status).toBe(200);
      // Two pushes 1 over the same objects that disagree on how many messages the new lines hold.
      const a = nextPush(first.after, jsonLines("race", 3, 5), { pageSize: 3 });
      await uploadPush(id, a);
      const pages = [{ ...a.layout.pages[0], messages: 2 } as (typeof a.layout.pages)[number]];
      const b = { ...a.layout, pages, messages: 7 };
      const answers = await Promise.all([postPush(id, a), postPush(id, a, uniqueRepo(), b)]);
      const statuses = answers.map((r) => r.status).sort();
      expect(statuses).toEqual([200, 409]);
      const winner = answers[0]?.status === 200 ? a.layout : b;
      expect((await layoutOf(id)).manifest?.messages).toBe(winner.messages);
    }
  });

  it("that disagrees with its objects or with what is stored gets 422 and merges nothing", async () => {
    const id = randomUUID();
    const first = nextPush(emptyRun(), jsonLines("base", 6));
    await uploadPush(id, first);
    expect((await postPush(id, first)).status).toBe(200);
    const before = await layoutOf(id);
    const good = nextPush(first.after, jsonLines("more", 4, 6));
    await uploadPush(id, good);
    const chunk = good.layout.chunk as NonNullable<Push["layout"]["chunk"]>;
    const cases: [string, Push["layout"], RegExp][] = [
      ["chunk size", { ...good.layout, chunk: { ...chunk, bytes: chunk.bytes + 1 } }, /holds \d+ bytes, the push says/],
      ["raw hash", { ...good.layout, chunk: { ...chunk, raw_sha256: "0".repeat(64) } }, /SHA-256 .* the push says 0{64}/],
      ["CRC32", { ...good.layout, crc32: (good.layout.crc32 + 1) >>> 0 }, /CRC32/],
      [
        "raw size of the chunk",
        { ...good.layout, chunk: { ...chunk, raw_bytes: chunk.raw_bytes - 1 }, raw_size: good.layout.raw_size - 1 },
        /more than|byte_size/,
      ],
      ["lines of the chunk", { ...good.layout, chunk: { ...chunk, lines: 3 }, lines: 9 }, /holds 4 lines, the push says 3/],
      ["index hash", { ...good.layout, index: { ...good.layout.index, sha256: "1".repeat(64) } }, /index i1 has SHA-256/],
      [
        "page out of the index",
        { ...good.layout, pages: good.layout.pages.map((p, i) => (i === 0 ? { ...p, offset: good.layout.index.bytes } : p)) },
        /lies past the end of index i1/,
      ],
      ["first line", { ...good.layout, chunk: { ...chunk, first_line: 8 } }, /starts at line 8, the stored lines end at 6/],
      ["totals", { ...good.layout, raw_size: good.layout.raw_size + 5 }, /raw_size/],
      ["pages", { ...good.layout, messages: 11 }, /the pages end at message 10, the push holds 11/],
      [
        "stored page longer",
        { ...good.layout, pages: [{ ...(first.after.pages[0] as Push["layout"]["pages"][number]), messages: 9 }, ...good.layout.pages] },
        /page/,
      ],
    ];
    for (const [what, layout, message] of cases) {
      const res = await postPush(id, good, uniqueRepo(), layout);
      const body = await json(res);
      expect([what, res.status, body.error?.code]).toEqual([what, 422, "data_mismatch"]);
      expect(body.error.message, what).toMatch(message);
    }
    expect(await layoutOf(id)).toEqual(before);
    // The same push, as it should be, still goes in.
    expect((await postPush(id, good)).status).toBe(200);
  });

  it("that skips ahead or names a generation it does not follow gets 409", async () => {
    const { id, second } = await grownSession();
    const skip = nextPush({ ...second.after, pushes: 3 }, jsonLines("skip", 1, 12));
    const res = await postPush(id, skip);
    expect(res.status).toBe(409);
    expect((await json(res)).error.message).toMatch(/push 3 of generation 1 does not follow .*generation 1 with 2 pushes/);
  });
});

describe("sessions of the old layout", () => {
  it("keep the whole object; an older CLI's whole upload after segments puts the session back to gzip-v1", async () => {
    const { id } = await grownSession();
    const under = () => [...storedObjectKeys(inject("persistTo"))].filter((k) => k.startsWith(wholeObjectKey(id))).sort();
    const data = '{"type":"user","n":1}\n';
    await uploadData(id, data);
    const meta = sessionMeta(data, { id, data_updated_at: Date.parse("2026-11-21T00:00:00Z") });
    const res = await postJson("/sessions", { repo: uniqueRepo(), sessions: [meta] });
    expect(res.status).toBe(200);
    expect((await json(res)).stored).toEqual([]);
    expect(await layoutOf(id)).toMatchObject({ layout: "gzip-v1", manifest: null });
    expect(await (await api(`/sessions/${id}`)).text()).toBe(data);
    expect(under()).toEqual([wholeObjectKey(id)]);

    // A first push in segments of a session stored whole replaces its whole object.
    const first = nextPush(emptyRun(), jsonLines("again", 3));
    await uploadPush(id, first);
    const meta2 = sessionMeta(first.after.raw.toString(), {
      id,
      layout: first.layout,
      data_updated_at: Date.parse("2026-11-22T00:00:00Z"),
    });
    expect((await postJson("/sessions", { repo: uniqueRepo(), sessions: [meta2] })).status).toBe(200);
    expect((await layoutOf(id)).layout).toBe("segments-v2");
    expect(under()).toEqual([`${sessionPrefix(id)}g1/c0`, `${sessionPrefix(id)}g1/i0`]);
  });
});

describe("object reads by range", () => {
  it("serve 206 with exactly the bytes asked for, and nothing the manifest does not name", async () => {
    const { id, first, second } = await grownSession();
    const chunk0 = first.chunk as Buffer;
    const part = await api(`/sessions/${id}/objects/1/c0`, { headers: { range: "bytes=3-20" } });
    expect(part.status).toBe(206);
    expect(part.headers.get("content-range")).toBe(`bytes 3-20/${chunk0.length}`);
    expect(Buffer.from(await part.arrayBuffer()).equals(chunk0.subarray(3, 21))).toBe(true);
    const page = second.layout.pages[1] as Push["layout"]["pages"][number];
    const pageBytes = await api(`/sessions/${id}/objects/1/i1`, {
      headers: { range: `bytes=${page.offset}-${page.offset + page.length - 1}` },
    });
    expect(JSON.parse(await pageBytes.text()).messages[0][0]).toBe(page.first_message);
    const tail = await api(`/sessions/${id}/objects/1/c0`, { headers: { range: `bytes=${chunk0.length - 2}-` } });
    expect(tail.status).toBe(206);
    expect(Buffer.from(await tail.arrayBuffer()).equals(chunk0.subarray(-2))).toBe(true);

    const past = await api(`/sessions/${id}/objects/1/c0`, { headers: { range: `bytes=${chunk0.length}-${chunk0.length + 5}` } });
    expect(past.status).toBe(416);
    expect(past.headers.get("content-range")).toBe(`bytes */${chunk0.length}`);
    for (const range of ["bytes=5-2", "bytes=0-1,4-5", "bytes=-5", "items=0-1", "bytes=a-b"])
      expect((await api(`/sessions/${id}/objects/1/c0`, { headers: { range } })).status, range).toBe(416);
    for (const name of ["2/c0", "1/c2", "1/i2", "01/c0", "1/c00", "1/x0", "1/c0x"])
      expect((await api(`/sessions/${id}/objects/${name}`, { headers: { range: "bytes=0-1" } })).status, name).toBe(404);
    // Another session's id never reaches this session's objects.
    const other = await grownSession();
    expect((await api(`/sessions/${other.id}/objects/1/c0`, { headers: { range: "bytes=0-9" } })).status).toBe(206);
    expect((await api(`/sessions/${randomUUID()}/objects/1/c0`, { headers: { range: "bytes=0-9" } })).status).toBe(404);
    expect((await api(`/sessions/${id}/objects/1/c0`, { token: null, headers: { range: "bytes=0-1" } })).status).toBe(401);
  });
});

describe("a stored chunk that is gone or changed", () => {
  it("gives an error status before the body when the first chunk is bad, and a broken body (never a hang) later on", async () => {
    const { id } = await grownSession();
    expect((await putObject(id, { generation: 1, push: 1, kind: "chunk" }, new Uint8Array([1, 2, 3]))).status).toBe(200);
    // Whether the error reaches the client as a status or as a cut body depends on whether workerd had sent
    // the headers when the stream failed; either way the client learns it, and never waits on a hang.
    const fails = async (path: string) => {
      const res = await api(path);
      if (res.status !== 200) return res.status;
      return res.arrayBuffer().then(
        () => "whole",
        () => "cut",
      );
    };
    expect(["cut", 500]).toContain(await fails(`/sessions/${id}`));
    expect(["cut", 500]).toContain(await fails(`/sessions/${id}?plain=1`));

    expect((await putObject(id, { generation: 1, push: 0, kind: "chunk" }, new Uint8Array([1, 2, 3]))).status).toBe(200);
    const res = await api(`/sessions/${id}`);
    expect(res.status).toBe(500);
    expect((await json(res)).error.message).toMatch(/chunk c0 of session .* holds 3 bytes, its manifest says/);
  });
});

describe("deleting a session stored in segments", () => {
  it("removes every object under its prefix", async () => {
    const { id } = await grownSession();
    const under = () =>
      [...storedObjectKeys(inject("persistTo"))].filter((k) => k.startsWith(sessionPrefix(id)) || k === wholeObjectKey(id));
    expect(under().length).toBe(4);
    expect((await api(`/sessions/${id}`, { method: "DELETE" })).status).toBe(200);
    expect(under()).toEqual([]);
  });
});
