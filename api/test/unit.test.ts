// Pure pieces, tested without a server.

import { RepoHost, RepoOwner, SessionsUpload, Timestamp } from "@residue/protocol";
import { describe, expect, it } from "vitest";
import { parseDotenv } from "../local/dev-vars.ts";
import { signUpload, verifyUpload } from "../src/storage/local-signature.ts";
import { DEFAULT_UPLOAD_TTL_SECONDS, s3Config, uploadTtlSeconds } from "../src/storage/upload-url.ts";

describe("local upload signatures", () => {
  const key = "sessions/0c4f7a2e-91b3-4d6a-8e25-7f1b3c9d0e44";
  it("verifies its own signature until it expires", async () => {
    const sig = await signUpload("secret", key, 2_000, "n1");
    expect(await verifyUpload("secret", key, 2_000, "n1", sig, 1_999_000)).toBe("ok");
    expect(await verifyUpload("secret", key, 2_000, "n1", sig, 2_000_001)).toBe("expired");
  });
  it("rejects another key, another secret, another expiry or a malformed signature", async () => {
    const sig = await signUpload("secret", key, 2_000, "n1");
    expect(await verifyUpload("secret", `${key}x`, 2_000, "n1", sig, 0)).toBe("invalid");
    expect(await verifyUpload("other", key, 2_000, "n1", sig, 0)).toBe("invalid");
    expect(await verifyUpload("secret", key, 2_001, "n1", sig, 0)).toBe("invalid");
    expect(await verifyUpload("secret", key, Number.NaN, "n1", sig, 0)).toBe("invalid");
    expect(await verifyUpload("secret", key, 2_000, "n1", sig.toUpperCase(), 0)).toBe("invalid");
    expect(await verifyUpload("secret", key, 2_000, "n1", "", 0)).toBe("invalid");
    expect(await verifyUpload("secret", key, 2_000, "n2", sig, 0)).toBe("invalid");
  });
});

describe("upload URL settings", () => {
  it("uses S3 only when every credential is present", () => {
    expect(s3Config({ R2_ACCESS_KEY_ID: "a", R2_SECRET_ACCESS_KEY: "b", R2_BUCKET_NAME: "c" } as never)).toBeNull();
    expect(s3Config({ R2_ACCESS_KEY_ID: "a", R2_SECRET_ACCESS_KEY: "b", R2_BUCKET_NAME: "c", R2_ACCOUNT_ID: "d" } as never)?.endpoint).toBe(
      "https://d.r2.cloudflarestorage.com",
    );
  });
  it("falls back to 15 minutes for a missing or silly TTL", () => {
    expect(uploadTtlSeconds({} as never)).toBe(DEFAULT_UPLOAD_TTL_SECONDS);
    expect(uploadTtlSeconds({ UPLOAD_URL_TTL_SECONDS: "-5" } as never)).toBe(DEFAULT_UPLOAD_TTL_SECONDS);
    expect(uploadTtlSeconds({ UPLOAD_URL_TTL_SECONDS: "60" } as never)).toBe(60);
  });
});

describe("schemas", () => {
  it("accepts GitLab subgroup owners and rejects path tricks", () => {
    expect(RepoOwner.safeParse("acme/platform/tools").success).toBe(true);
    for (const bad of ["", "a//b", "../a", "a/..", "a/./b", "a b", "a\\b", "/a", "a/"])
      expect(RepoOwner.safeParse(bad).success, bad).toBe(false);
  });
  it("accepts host names with a port 1–65535 and nothing else as a repo host", () => {
    for (const ok of ["github.com", "gitlab.example.co.uk:8443", "localhost", "10.0.0.7:22", "git-1.acme.io", "a:1", "a:65535"])
      expect(RepoHost.safeParse(ok).success, ok).toBe(true);
    for (const bad of [
      "-",
      ".",
      "..",
      "github.com:99999",
      "github.com:0",
      "-a.com",
      "a-.com",
      "a..b",
      ".a",
      "a.",
      "a:",
      ":22",
      "a_b.com",
      "a b",
      `${"a".repeat(64)}.com`,
    ])
      expect(RepoHost.safeParse(bad).success, bad).toBe(false);
  });
  it("converts ISO timestamps to epoch milliseconds", () => {
    expect(Timestamp.parse("2026-11-24T12:00:00Z")).toBe(Date.parse("2026-11-24T12:00:00Z"));
    expect(Timestamp.parse(5)).toBe(5);
    expect(Timestamp.safeParse("2026-11-24").success).toBe(false);
  });
  it("lowercases session ids and SHAs so one id never becomes two rows", () => {
    const parsed = SessionsUpload.parse({
      repo: { host: "GitHub.com", owner: "a", name: "b" },
      sessions: [
        {
          id: "0C4F7A2E-91B3-4D6A-8E25-7F1B3C9D0E44",
          agent: "pi",
          status: "open",
          data_updated_at: 1,
          byte_size: 1,
          content_hash: `sha256:${"a".repeat(64)}`,
          message_count: 0,
        },
      ],
    });
    expect(parsed.sessions[0]?.id).toBe("0c4f7a2e-91b3-4d6a-8e25-7f1b3c9d0e44");
    expect(parsed.repo.host).toBe("github.com");
  });
});

describe("parseDotenv", () => {
  it("reads KEY=value lines, quotes, export and comments", () => {
    expect(parseDotenv("# c\nA=1\nexport B=\"two words\"\nC='x'\n  D = spaced  \nnot a line\n")).toEqual({
      A: "1",
      B: "two words",
      C: "x",
      D: "spaced",
    });
  });
});
