// What the user and the team decide about recording: the `redaction` and `ignore` sections of ~/.residue/config
// (this machine) and of a committed `.residue.json` at the repo root (shared by the team). Their rules add up.
// A bad file is an error naming the file and the entry: nothing is redacted with half the rules meant.
import { createHash } from "node:crypto";
import { existsSync, readFileSync, realpathSync } from "node:fs";
import { dirname, join } from "node:path";
import { z } from "zod";
import { CliError } from "../errors/cli-error.ts";
import { RedactionConfig, type RedactionOptions, redactionOptions } from "../redaction/index.ts";
import { configPath } from "./config.ts";
import { absoluteGlob, globRegex, isUnder } from "./glob.ts";

const sections = {
  redaction: RedactionConfig.optional(),
  /** Directories (or globs) whose sessions are never captured. */
  ignore: z
    .array(
      z
        .string()
        .min(1)
        .refine(
          (entry) => {
            try {
              globRegex(entry);
              return true;
            } catch {
              return false;
            }
          },
          { message: "not a valid glob (a [...] class that is not a valid range?)" },
        ),
    )
    .optional(),
};
/** `.residue.json`, committed at the repo root. */
export const RepoControlFile = z.object(sections).strict();
/** ~/.residue/config: the login and the machine's own rules. */
export const UserConfigFile = z.object({ url: z.string().optional(), token: z.string().optional(), ...sections }).strict();

export const REPO_FILE = ".residue.json";
export const CONTROL_HINT = "fix that entry (README: Privacy → User control); until then nothing is uploaded and sessions stay queued";

export interface IgnoreRule {
  /** As written in the file. */
  entry: string;
  /** The absolute pattern it stands for. */
  pattern: string;
  file: string;
}

export interface Control {
  /** The files that exist and were read, user's first. */
  files: string[];
  redaction: RedactionOptions;
  /** A short hash of the effective redaction rules, null when there are none beyond the built-in ones. */
  rulesHash: string | null;
  ignore: IgnoreRule[];
}

/** The repo whose `.residue.json` applies: the main work tree, where the queue (`.residue/`) lives. */
export const repoRootOf = (stateDir: string) => dirname(stateDir);

/** `redaction.patterns[1].regex`: where in the file an entry is. */
function entryPath(path: PropertyKey[]): string {
  return path.map((p, i) => (typeof p === "number" ? `[${p}]` : `${i ? "." : ""}${String(p)}`)).join("") || "(top level)";
}

/** One file's sections, or nothing when it does not exist; a CliError naming the file and the entry when it is wrong. */
export function readControlFile<T extends z.ZodType>(file: string, schema: T): z.infer<T> | null {
  if (!existsSync(file)) return null;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new CliError(`${file} is not valid JSON (${(error as Error).message})`, CONTROL_HINT, undefined, { cause: error });
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0] as z.core.$ZodIssue;
    throw new CliError(`${file}: ${entryPath(issue.path)}: ${issue.message}`, CONTROL_HINT);
  }
  return parsed.data;
}

export function loadControl(home: string, repoRoot: string): Control {
  const userFile = configPath(home);
  const repoFile = join(repoRoot, REPO_FILE);
  const read = [
    { file: userFile, base: home, data: readControlFile(userFile, UserConfigFile) },
    { file: repoFile, base: repoRoot, data: readControlFile(repoFile, RepoControlFile) },
  ].filter((r) => r.data !== null);
  const configs = read.flatMap((r) => (r.data?.redaction ? [r.data.redaction] : []));
  const redaction = redactionOptions("json", configs);
  const empty = !redaction.patterns?.length && !redaction.allow?.strings?.length && !redaction.allow?.regexes?.length;
  const rulesHash = empty
    ? null
    : createHash("sha256")
        .update(JSON.stringify([redaction.patterns, redaction.allow]))
        .digest("hex")
        .slice(0, 12);
  const ignore = read.flatMap((r) =>
    (r.data?.ignore ?? []).map((entry) => ({ entry, pattern: absoluteGlob(entry, r.base, home), file: r.file })),
  );
  return { files: read.map((r) => r.file), redaction, rulesHash, ignore };
}

function real(path: string) {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

/** The rule that keeps sessions working in `cwd` from being captured, if any. */
export function ignoredBy(control: Control, cwd: string): IgnoreRule | null {
  const dirs = [...new Set([cwd, real(cwd)])];
  return control.ignore.find((rule) => dirs.some((d) => isUnder(d, rule.pattern))) ?? null;
}
