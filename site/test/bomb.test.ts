// A decompression bomb with honest metadata (issue 9 #5): every view of it renders, cut, with a notice.
import { beforeAll, describe, expect, inject, it } from "vitest";
import { gzipBomb } from "../../api/test/support/bomb.ts";
import { baseUrl, commitMapping, fakeSha, postJson, sessionMeta, uniqueRepo, uploadData } from "../../api/test/support/client.ts";

const auth = () => ({ authorization: `Basic ${btoa(`${inject("adminUser")}:${inject("adminPassword")}`)}` });
const repo = uniqueRepo();
let id = "";
let sha = "";

beforeAll(async () => {
  const bomb = await gzipBomb(600 * 1024 * 1024);
  expect(bomb.gzip.byteLength).toBeLessThan(2 * 1024 * 1024);
  const meta = sessionMeta("", { byte_size: bomb.byteSize, content_hash: bomb.contentHash, message_count: bomb.lines });
  id = meta.id;
  sha = fakeSha(id);
  await uploadData(id, bomb.gzip);
  const post = await postJson("/sessions", {
    repo,
    sessions: [meta],
    commits: [commitMapping(sha, [id], { sessions: [{ session_id: id, position: {} }] })],
  });
  expect(post.status, await post.clone().text()).toBe(200);
}, 120_000);

describe("a 600 MB decompression bomb", () => {
  it.each([
    ["the permalink", () => `/app/${repo.owner}/${repo.name}/${sha}`],
    ["the session page", () => `/app/-/session/${id}`],
    ["a fragment", () => `/app/-/fragment/${id}?from=100&to=120`],
  ])(
    "%s renders whole, with a notice that the transcript was cut",
    async (_name, path) => {
      const res = await fetch(`${baseUrl()}${path()}`, { headers: auth() });
      expect(res.status).toBe(200);
      const html = await res.text();
      if (!path().includes("/fragment/")) {
        expect(html).toContain("only its first 16 MB are shown");
        expect(html).toMatch(/<\/main>\s*<\/body>\s*<\/html>\s*$/);
      }
      expect(html).toContain("Inflate me.");
    },
    60_000,
  );
});
