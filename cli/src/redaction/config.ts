// What a user or a team says about redaction: the `redaction` section of ~/.residue/config and of a committed
// `.residue.json` at the repo root. Data only: names, regexes and strings, checked here so a bad entry is
// reported by where it came from instead of failing the upload.

import { REDACTION_RULE_NAME } from "@residue/protocol";
import { z } from "zod";
import type { RedactionOptions } from "./engine.ts";

const regexSource = z.string().refine(
  (source) => {
    try {
      new RegExp(source);
      return true;
    } catch {
      return false;
    }
  },
  { message: "not a valid JavaScript regular expression" },
);

export const RedactionConfig = z
  .object({
    /** Extra secrets: each match (or its first capture group) becomes `[REDACTED:<name>]`. */
    patterns: z
      .array(
        z
          .object({
            name: z.string().regex(REDACTION_RULE_NAME, "lower-case letters, digits and dashes"),
            regex: regexSource,
          })
          .strict(),
      )
      .default([]),
    /** Values never redacted: exact strings, and regexes a whole value must match. */
    allow: z
      .object({ strings: z.array(z.string().min(1)).default([]), regexes: z.array(regexSource).default([]) })
      .strict()
      .default({
        strings: [],
        regexes: [],
      }),
  })
  .strict();
export type RedactionConfig = z.infer<typeof RedactionConfig>;

/** The engine's options from every config that applies (user's, then repo's): their rules add up. */
export function redactionOptions(format: RedactionOptions["format"], configs: RedactionConfig[]): RedactionOptions {
  return {
    format,
    patterns: configs.flatMap((c) => c.patterns),
    allow: { strings: configs.flatMap((c) => c.allow.strings), regexes: configs.flatMap((c) => c.allow.regexes) },
  };
}
