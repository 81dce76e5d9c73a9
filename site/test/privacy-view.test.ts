// The pure parts of the privacy UI: the redaction line, where a delete sends the reader, and its message.
import { describe, expect, it } from "vitest";
import { redactionText } from "../src/lib/format.ts";
import { afterDelete, deletedNotice } from "../src/server/after-delete.ts";

const id = "0c4f7a2e-91b3-4d6a-8e25-7f1b3c9d0e44";
const repo = { host: "gitlab.example.com:8443", owner: "acme/platform", name: "widgets" };

describe("redactionText", () => {
  it("counts values over rules, most frequent rule first", () => {
    expect(redactionText({ "generic-api-key": 1, "aws-access-token": 2 })).toBe(
      "3 values redacted (aws-access-token: 2, generic-api-key: 1)",
    );
    expect(redactionText({ "private-key": 1 })).toBe("1 value redacted (private-key: 1)");
  });

  it("says nothing when nothing was redacted or the uploading CLI did not count", () => {
    expect(redactionText({})).toBeNull();
    expect(redactionText(null)).toBeNull();
    expect(redactionText(undefined)).toBeNull();
  });

  it("names the eight most frequent rules and counts the rest", () => {
    const counts = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`rule-${i}`, i + 1]));
    expect(redactionText(counts)).toBe(
      "55 values redacted (rule-9: 10, rule-8: 9, rule-7: 8, rule-6: 7, rule-5: 6, rule-4: 5, rule-3: 4, rule-2: 3, 2 more rules)",
    );
  });
});

describe("afterDelete", () => {
  it("goes back to the permalink the reader came from, with the message's parameter", () => {
    expect(afterDelete("/app/acme/widgets/0123abc?host=github.com", repo, id)).toBe(
      `/app/acme/widgets/0123abc?host=github.com&deleted=${id}`,
    );
  });

  it("goes to the session's repo when the page it came from showed only this session, or none was given", () => {
    const repoPage = `/app/acme/platform/widgets?host=gitlab.example.com%3A8443&deleted=${id}`;
    expect(afterDelete(`/app/-/session/${id}`, repo, id)).toBe(repoPage);
    expect(afterDelete(null, repo, id)).toBe(repoPage);
  });

  it.each(["https://evil.example/app", "//evil.example/app", "/api/sessions", "javascript:alert(1)", "/application"])(
    "never leaves the app for %s",
    (back) => {
      expect(afterDelete(back, repo, id)).toMatch(/^\/app\/acme\/platform\/widgets\?/);
    },
  );
});

describe("deletedNotice", () => {
  it("names the deleted session by its short id, and only a session id", () => {
    expect(deletedNotice(new URLSearchParams({ deleted: id }))).toMatch(/^Deleted conversation 0c4f7a2e: /);
    expect(deletedNotice(new URLSearchParams({ deleted: "<script>" }))).toBeNull();
    expect(deletedNotice(new URLSearchParams())).toBeNull();
  });
});
