import { describe, expect, it } from "vitest";
import { isCanonicalPath } from "../src/server/canonical-path.ts";

describe("isCanonicalPath", () => {
  it.each(["/", "/app", "/app/", "/app/acme/widgets/0123abc", "/app/-/search", "/app/caf%C3%A9", "/api/repos/a/b%20c"])(
    "accepts %s",
    (p) => {
      expect(isCanonicalPath(p)).toBe(true);
    },
  );

  it.each([
    ["a doubled slash", "//app"],
    ["a doubled slash inside", "/app//acme"],
    ["an encoded slash", "/app%2facme"],
    ["an encoded slash, upper case", "/app%2Facme"],
    ["an encoded backslash", "/app%5cacme"],
    ["an encoded letter", "/%61pp"],
    ["lower-case hex", "/app/caf%c3%a9"],
    ["an encoded NUL", "/app%00"],
    ["a control character", "/app%0a"],
    ["broken percent-encoding", "/app%E0%A4%A"],
    ["no leading slash", "app"],
  ])("refuses %s", (_name, p) => {
    expect(isCanonicalPath(p)).toBe(false);
  });
});
