// A secrets corpus made in code (synthetic keys of every kind, seeded, never real ones), planted into
// transcripts of all five agents, plus look-alikes that must survive. Shared by the redaction tests and
// bench/redaction.ts.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { geminiTranscript, opencodeTranscript } from "../../../e2e/support/seed.ts";
import { ROOT } from "./harness.ts";

export type Agent = "claude-code" | "pi" | "codex" | "gemini" | "opencode";

/** mulberry32: small, seeded, repeatable. */
export function random(seed: number) {
  let s = seed;
  const next = () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const pick = (alphabet: string, n: number) => Array.from({ length: n }, () => alphabet[Math.floor(next() * alphabet.length)]).join("");
  return { next, pick };
}

const UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
const LOWER = "abcdefghijklmnopqrstuvwxyz";
const DIGITS = "0123456789";
const ALNUM = UPPER + LOWER + DIGITS;
const B64 = `${ALNUM}+/`;
const URLSAFE = `${ALNUM}_-`;
const HEX = "0123456789abcdef";

export interface Secret {
  kind: string;
  /** The text as a person or a tool would write it. */
  text: string;
  /** What must not survive: the secret itself, or each line of a key block. */
  values: string[];
}

const b64url = (s: string) => Buffer.from(s).toString("base64url");

/** One secret of each kind, written in one of its usual contexts; `n` varies both. */
export function makeSecret(kind: string, n: number, seed = n): Secret {
  const { pick } = random(seed * 7919 + kind.length);
  const one = (value: string, contexts: string[]): Secret => ({
    kind,
    text: (contexts[n % contexts.length] as string).replace("$", value),
    values: [value],
  });
  switch (kind) {
    case "aws-access-key-id":
      return one(`AKIA${pick("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16)}`, [
        "aws_access_key_id = $",
        "export AWS_ACCESS_KEY_ID=$",
        "key $ leaked",
      ]);
    case "aws-secret-access-key":
      return one(pick(B64, 40), ["AWS_SECRET_ACCESS_KEY=$", "aws_secret_access_key = $", '{"AWS_SECRET_ACCESS_KEY": "$"}']);
    case "github-classic":
      return one(`ghp_${pick(ALNUM, 36)}`, ["use token $ for the API", "GITHUB_TOKEN=$", "git clone https://$@github.com/acme/x"]);
    case "github-fine-grained":
      return one(`github_pat_${pick(ALNUM, 22)}_${pick(ALNUM, 59)}`, ["token: $", "gh auth login --with-token <<< $"]);
    case "github-app":
      return one(`${n % 2 ? "ghs" : "ghu"}_${pick(ALNUM, 36)}`, ["installation token $", "Authorization: token $"]);
    case "gitlab":
      return one(`glpat-${pick(URLSAFE, 20)}`, ["GITLAB_TOKEN=$", "private token $ works"]);
    case "slack":
      return one(`xoxb-${pick(DIGITS, 12)}-${pick(DIGITS, 13)}-${pick(ALNUM, 24)}`, ["SLACK_BOT_TOKEN=$", "bot token is $"]);
    case "stripe":
      return one(`sk_live_${pick(ALNUM, 32)}`, ["Stripe.apiKey = '$';", "STRIPE_SECRET_KEY=$"]);
    case "openai":
      return one(`sk-proj-${pick(URLSAFE, 74)}T3BlbkFJ${pick(URLSAFE, 74)}`, ["OPENAI_API_KEY=$", 'client = OpenAI(api_key="$")']);
    case "anthropic":
      return one(`sk-ant-api03-${pick(URLSAFE, 93)}AA`, ["ANTHROPIC_API_KEY=$", "x-api-key: $"]);
    case "google-api-key":
      return one(`AIza${pick(URLSAFE, 35)}`, ["maps key $ in config", 'const firebaseConfig = { apiKey: "$" };']);
    case "npm":
      return one(`npm_${pick(LOWER + DIGITS, 36)}`, ["//registry.npmjs.org/:_authToken=$", "NPM_TOKEN=$"]);
    case "jwt": {
      const jwt = `${b64url('{"alg":"HS256","typ":"JWT"}')}.${b64url(`{"sub":"${pick(DIGITS, 10)}","name":"Dev ${pick(LOWER, 6)}","iat":1700000000}`)}.${pick(URLSAFE, 43)}`;
      return one(jwt, ["Authorization: Bearer $", "session cookie: $", '{"id_token":"$"}']);
    }
    case "db-url": {
      const pw = `${pick(ALNUM, 10)}${pick("!%*-_", 1)}${pick(ALNUM, 6)}`;
      return one(pw, [
        "DATABASE_URL=postgres://app_user:$@db.internal:5432/app",
        "mongodb+srv://admin:$@cluster0.ab1cd.mongodb.net/prod?retryWrites=true",
        "mysql://root:$@127.0.0.1:3306/shop",
        "redis://:$@cache.internal:6379/0",
      ]);
    }
    case "password-env":
      return one(`${pick(ALNUM, 12)}${pick("#!%", 1)}${pick(DIGITS, 3)}`, ["PASSWORD=$", "DB_PASSWORD=$", "export SMTP_PASSWORD='$'"]);
    case "generic-near-keyword":
      return one(pick(ALNUM, 32), ['"client_secret": "$"', "api_key: $", 'auth_token = "$"', "secret=$"]);
    case "private-key": {
      const type = ["RSA PRIVATE KEY", "EC PRIVATE KEY", "OPENSSH PRIVATE KEY", "PRIVATE KEY"][n % 4] as string;
      const lines = Array.from({ length: 6 + (n % 5) }, () => pick(B64, 64));
      return { kind, text: `-----BEGIN ${type}-----\n${lines.join("\n")}\n${pick(B64, 20)}==\n-----END ${type}-----`, values: lines };
    }
    default:
      throw new Error(`unknown secret kind ${kind}`);
  }
}

export const SECRET_KINDS = [
  "aws-access-key-id",
  "aws-secret-access-key",
  "github-classic",
  "github-fine-grained",
  "github-app",
  "gitlab",
  "slack",
  "stripe",
  "openai",
  "anthropic",
  "google-api-key",
  "npm",
  "jwt",
  "db-url",
  "password-env",
  "generic-near-keyword",
  "private-key",
];

/** Strings that look like secrets and are not: each must come out untouched. */
export function lookAlikes(seed = 1): { kind: string; text: string }[] {
  const { pick } = random(seed);
  const uuid = () => `${pick(HEX, 8)}-${pick(HEX, 4)}-4${pick(HEX, 3)}-a${pick(HEX, 3)}-${pick(HEX, 12)}`;
  return [
    { kind: "uuid", text: uuid() },
    { kind: "uuid", text: `session ${uuid()} resumed` },
    { kind: "git-sha1", text: `commit ${pick(HEX, 40)}` },
    { kind: "git-sha256", text: pick(HEX, 64) },
    { kind: "base64-image", text: `data:image/png;base64,iVBORw0KGgo${pick(B64, 2000)}=` },
    { kind: "lockfile-integrity", text: `"integrity": "sha512-${pick(B64, 86)}=="` },
    { kind: "lockfile-integrity", text: `resolved "https://registry.npmjs.org/left-pad/-/left-pad-1.3.0.tgz#${pick(HEX, 40)}"` },
    {
      kind: "css-classes",
      text: 'className="flex items-center justify-between rounded-lg border border-gray-200 bg-white px-4 py-2 shadow-sm hover:bg-gray-50 dark:border-gray-700 dark:bg-gray-800 focus-visible:outline-none focus-visible:ring-2"',
    },
    {
      kind: "css-classes",
      text: ".navigation__menu-item--active-highlighted-with-secondary-accent-token-color { color: var(--accent-token-primary-600); }",
    },
    {
      kind: "minified-js",
      text: '!function(e,t){"object"==typeof exports&&"undefined"!=typeof module?module.exports=t():"function"==typeof define&&define.amd?define(t):(e=e||self).Vue=t()}(this,function(){"use strict";var _0x4f2a1b=Object.freeze({}),_0x1c9e=Array.isArray;',
    },
    { kind: "minified-js", text: "var a=n(8472),o=n.n(a),i=n(1193),s=n(23),c=function(e){return e.tokenize(e.keySelector)};" },
    { kind: "file-path", text: "/home/dev/acme-widgets/node_modules/@babel/runtime/helpers/esm/asyncToGenerator.js" },
    { kind: "file-path", text: "src/features/authentication/components/PasswordResetConfirmationDialog.test.tsx" },
    { kind: "package-version", text: "@aws-sdk/client-secrets-manager@3.701.0 @typescript-eslint/eslint-plugin@8.15.0" },
    { kind: "usage-numbers", text: '"input_tokens": 1234, "max_tokens": 4096, "cache_read_input_tokens": 88830' },
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a shell reference, written as in an env file.
    { kind: "env-reference", text: "API_KEY=${API_KEY} and TOKEN_LIMIT=4096" },
    { kind: "code-reference", text: "return { accessKeyId: R2_ACCESS_KEY_ID, secretAccessKey: env.R2_SECRET_ACCESS_KEY };" },
    { kind: "code-call", text: "const token = await getToken2(user); const password = hashPassword(input);" },
    { kind: "prose", text: "The token refresh logic reads the secret name from the key vault before the password prompt." },
  ];
}

export interface Carrier {
  agent: Agent;
  name: string;
  text: string;
  /** One JSON document (not JSONL): whole-file exports. */
  whole: boolean;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : name.endsWith(".jsonl") ? [path] : [];
  });
}

/** Every transcript fixture, in the format of each of the five agents, JSONL and whole-file JSON. */
export function carriers(): Carrier[] {
  const fixtures = join(ROOT, "e2e/fixtures");
  // Each agent's fixtures sit in a folder named after it.
  const agentOf = (path: string) => path.slice(fixtures.length + 1).split("/")[0] as Agent;
  const files = filesUnder(fixtures).map((path) => ({
    agent: agentOf(path),
    name: path.slice(fixtures.length + 1),
    text: readFileSync(path, "utf8"),
    whole: false,
  }));
  const gemini = geminiTranscript();
  const opencode = opencodeTranscript();
  const lines = (t: string) =>
    t
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
  return [
    ...files,
    { agent: "gemini", name: "gemini.jsonl", text: gemini, whole: false },
    { agent: "opencode", name: "opencode.jsonl", text: opencode, whole: false },
    // Older Gemini CLI: one pretty-printed JSON document.
    {
      agent: "gemini",
      name: "gemini-session.json",
      text: JSON.stringify({ sessionId: "g1", messages: lines(gemini).filter((l) => l.type) }, null, 2),
      whole: true,
    },
    // `opencode export`, on one line.
    {
      agent: "opencode",
      name: "opencode-export.json",
      text: JSON.stringify({ info: { id: "ses_1" }, messages: lines(opencode).filter((l) => l.type === "message") }),
      whole: true,
    },
  ];
}

/** Keys whose string values are conversation: prompts, replies, thinking, tool inputs, file contents, outputs. */
const TEXT_KEYS = new Set(["text", "content", "command", "output", "stdout", "thinking", "new_string", "old_string", "input", "summary"]);

/**
 * Appends `plant()` to every conversational string of `value`; JSON held in a string
 * (Codex's tool `arguments`) is planted inside and written back, so its secrets end up escaped twice.
 */
function plantValue(value: unknown, plant: () => string, key = ""): unknown {
  if (typeof value === "string") {
    if (key === "arguments") {
      try {
        const inner = JSON.parse(value);
        if (inner && typeof inner === "object") return JSON.stringify(plantValue(inner, plant));
      } catch {
        return value;
      }
    }
    return TEXT_KEYS.has(key) ? `${value}\n${plant()}` : value;
  }
  if (Array.isArray(value)) return value.map((v) => plantValue(v, plant, key));
  if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plantValue(v, plant, k)]));
  return value;
}

export interface Planted {
  text: string;
  secrets: Secret[];
}

/** Writes `plant(i)` into every conversational string of a carrier, keeping its format (JSONL or one document). */
function plantEach(carrier: Carrier, plant: (i: number) => string): string {
  let i = 0;
  const next = () => plant(i++);
  if (carrier.whole) return JSON.stringify(plantValue(JSON.parse(carrier.text), next), null, carrier.text.includes("\n") ? 2 : undefined);
  const lines = carrier.text.split("\n").filter((l) => l.trim());
  return `${lines.map((l) => JSON.stringify(plantValue(JSON.parse(l), next))).join("\n")}\n`;
}

/** Secrets of every kind in turn, each written plainly or inside a JSON document (a tool output of `cat config.json`). */
export function plantSecrets(carrier: Carrier, seed = 1): Planted {
  const secrets: Secret[] = [];
  const text = plantEach(carrier, (i) => {
    const s = makeSecret(SECRET_KINDS[i % SECRET_KINDS.length] as string, seed * 1000 + i);
    secrets.push(s);
    return i % 3 === 2 ? JSON.stringify({ config: s.text, path: ".env" }, null, 2) : s.text;
  });
  return { text, secrets };
}

/** Every look-alike in turn, in the same places. */
export function plantLookAlikes(carrier: Carrier, seed = 1): string {
  const alikes = lookAlikes(seed);
  return plantEach(carrier, (i) => (alikes[i % alikes.length] as { text: string }).text);
}
