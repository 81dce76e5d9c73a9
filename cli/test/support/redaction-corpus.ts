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

export interface LookAlike {
  kind: string;
  /** The text as a tool or a person would write it. */
  text: string;
  /** The look-alike itself, which must come out verbatim: no character JSON or HTML would escape. */
  value: string;
}

const TAILWIND = [
  "flex",
  "inline-flex",
  "grid",
  "items-center",
  "justify-between",
  "gap-2",
  "gap-x-4",
  "rounded-lg",
  "rounded-md",
  "border",
  "border-gray-200",
  "bg-white",
  "bg-slate-900/80",
  "px-4",
  "py-2",
  "p-6",
  "shadow-sm",
  "shadow-lg",
  "hover:bg-gray-50",
  "focus-visible:outline-none",
  "focus-visible:ring-2",
  "focus-visible:ring-offset-2",
  "dark:border-gray-700",
  "dark:bg-gray-800",
  "text-sm",
  "font-medium",
  "text-muted-foreground",
  "tracking-tight",
  "transition-colors",
  "duration-200",
  "disabled:pointer-events-none",
  "disabled:opacity-50",
  "md:grid-cols-3",
  "lg:px-8",
  "sm:max-w-[425px]",
  "data-[state=open]:animate-in",
  "translate-x-[-50%]",
  "ring-offset-background",
  "backdrop-blur",
  "supports-[backdrop-filter]:bg-background/60",
  "aria-selected:bg-accent",
  "peer-disabled:cursor-not-allowed",
];
const PACKAGES = ["left-pad", "react-dom", "esbuild", "@types/node", "@babel/core", "typescript", "vitest", "zod", "hono", "undici"];
const GO_MODULES = [
  "golang.org/x/crypto",
  "github.com/spf13/cobra",
  "github.com/stretchr/testify",
  "google.golang.org/grpc",
  "gopkg.in/yaml.v3",
];
const JS_WORDS = [
  "tokenize",
  "keySelector",
  "apiVersion",
  "authToken",
  "getToken",
  "secretName",
  "passwordField",
  "accessor",
  "credentials",
];

/**
 * Look-alikes by kind: strings an agent transcript is full of that are long, random-looking or next to key
 * words, and are not secrets. `n` varies the instance and its context.
 */
const LOOK_ALIKE_MAKERS: Record<string, (n: number, pick: (alphabet: string, n: number) => string) => { text: string; value: string }> = {
  uuid: (n, pick) => {
    const v = `${pick(HEX, 8)}-${pick(HEX, 4)}-4${pick(HEX, 3)}-${pick("89ab", 1)}${pick(HEX, 3)}-${pick(HEX, 12)}`;
    return {
      value: v,
      text: [`session ${v} resumed`, `"sessionId": "${v}"`, `ls ~/.claude/projects/-home-dev-acme/${v}.jsonl`][n % 3] as string,
    };
  },
  "git-sha": (n, pick) => {
    const v = pick(HEX, 40);
    return { value: v, text: [`commit ${v}`, `git checkout ${v}`, `"head_sha": "${v}"`, `Merge: ${v}`][n % 4] as string };
  },
  "git-sha-short": (n, pick) => {
    const v = pick(HEX, 7 + (n % 6));
    return {
      value: v,
      text: [`[main ${v}] fix: parse empty lines`, `${v} refactor(api): split routes`, `HEAD is now at ${v} wip`][n % 3] as string,
    };
  },
  "base64-image": (n, pick) => {
    const v = `data:image/${n % 2 ? "png" : "jpeg"};base64,${n % 2 ? "iVBORw0KGgoAAAANSUhEUgAA" : "/9j/4AAQSkZJRgABAQ"}${pick(B64, 200 + ((n * 97) % 2400))}${"=".repeat(n % 3)}`;
    return { value: v, text: [`<img src="${v}">`, `{"type": "image", "url": "${v}"}`, `background: url(${v});`][n % 3] as string };
  },
  "lockfile-integrity": (n, pick) => {
    const v = n % 3 === 2 ? `sha1-${pick(B64, 27)}=` : `sha512-${pick(B64, 86)}==`;
    return { value: v, text: [`"integrity": "${v}",`, `  integrity ${v}`, `"integrity":"${v}"`][n % 3] as string };
  },
  "npm-resolved": (n, pick) => {
    const name = PACKAGES[n % PACKAGES.length] as string;
    const base = name.split("/").pop();
    const v = `https://registry.npmjs.org/${name}/-/${base}-${n % 9}.${n % 17}.${n % 5}.tgz${n % 2 ? `#${pick(HEX, 40)}` : ""}`;
    return { value: v, text: [`"resolved": "${v}",`, `  resolved "${v}"`][n % 2] as string };
  },
  "oci-digest": (n, pick) => {
    const v = `sha256:${pick(HEX, 64)}`;
    return {
      value: v,
      text: [
        `ghcr.io/acme/api@${v}`,
        `Digest: ${v}`,
        `"config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": "${v}"}`,
      ][n % 3] as string,
    };
  },
  "go-sum": (n, pick) => {
    const v = `${GO_MODULES[n % GO_MODULES.length]} v0.${n % 40}.${n % 7}${n % 2 ? "/go.mod" : ""} h1:${pick(B64, 43)}=`;
    return { value: v, text: v };
  },
  "agent-id": (n, pick) => {
    const v = [
      `toolu_01${pick(ALNUM, 22)}`,
      `msg_01${pick(ALNUM, 22)}`,
      `req_011C${pick(ALNUM, 20)}`,
      `call_${pick(ALNUM, 24)}`,
      `chatcmpl-${pick(ALNUM, 29)}`,
      `resp_${pick(HEX, 48)}`,
    ][n % 6] as string;
    return { value: v, text: [`"tool_use_id": "${v}"`, `request-id: ${v}`, `"id": "${v}", "type": "message"`][n % 3] as string };
  },
  "hex-color": (n, pick) => {
    const v = `#${pick(HEX, n % 4 ? 6 : 3)}`;
    return { value: v, text: [`color: ${v};`, `fill="${v}"`, `--brand-600: ${v};`, `primary: '${v}',`][n % 4] as string };
  },
  "file-hash": (n, pick) => {
    const v = [pick(HEX, 64), pick(HEX, 32), pick(HEX, 40)][n % 3] as string;
    return { value: v, text: [`${v}  dist/app-${n}.js`, `${v}  release.tar.gz`, `sha1sum: ${v}`][n % 3] as string };
  },
  "css-classes": (n, pick) => {
    const count = 8 + (n % 14);
    const v = Array.from({ length: count }, (_, i) => TAILWIND[(Number.parseInt(pick(DIGITS, 3), 10) + i) % TAILWIND.length]).join(" ");
    return { value: v, text: [`className="${v}"`, `class="${v}"`, `cn(${JSON.stringify(v)})`][n % 3] as string };
  },
  "minified-js": (n, pick) => {
    const id = () => `_0x${pick(HEX, 6)}`;
    const word = JS_WORDS[n % JS_WORDS.length] as string;
    const v = [
      `var ${id()}=Object.freeze({}),${id()}=Array.isArray,${pick(LOWER, 1)}=n(${pick(DIGITS, 4)}),o=n.n(a)`,
      `function(e,t){return e.${word}(t.${JS_WORDS[(n + 1) % JS_WORDS.length]})}`,
      `{${word}:null,keyCode:13,apiVersion:2024,timeout:${pick(DIGITS, 4)}}`,
    ][n % 3] as string;
    return { value: v, text: `!function(){${v}}();` };
  },
  "base64-in-json": (n, pick) => {
    const v = `${n % 2 ? "AGFzbQEAAAAB" : "d09GMgABAAAA"}${pick(B64, 1500 + ((n * 131) % 3000))}${"=".repeat(n % 3)}`;
    const file = n % 2 ? { name: "parser.wasm", wasm: v } : { family: "Inter", src: `data:font/woff2;base64,${v}` };
    return { value: v, text: `cat assets/${n % 2 ? "wasm" : "fonts"}.json\n${JSON.stringify(file, null, 2)}` };
  },
  // Values next to key words, named for what they identify or count, not for what they unlock.
  "near-key-word": (n, pick) => {
    const uuid = `${pick(HEX, 8)}-${pick(HEX, 4)}-4${pick(HEX, 3)}-a${pick(HEX, 3)}-${pick(HEX, 12)}`;
    const cases: [string, (v: string) => string][] = [
      [uuid, (v) => `Idempotency-Key: ${v}`],
      [uuid, (v) => `stripe.paymentIntents.create(params, { idempotency_key: "${v}" })`],
      [`Linux-node-${pick(HEX, 64)}`, (v) => `Cache restored from key: ${v}`],
      [`Linux-pnpm-store-${pick(HEX, 40)}`, (v) => `cache-key: ${v}`],
      [["cl100k_base", "o200k_base", "p50k_base"][n % 3] as string, (v) => `tokenizer: ${v}`],
      [pick(DIGITS, 9).replace(/^0/, "1"), (v) => `total_tokens: ${v}`],
      [`2026-${String(1 + (n % 12)).padStart(2, "0")}-0${1 + (n % 9)}T02:35:00.000Z`, (v) => `"access_token_expires_at": "${v}"`],
      [`projects/acme-${n}/secrets/db-password/versions/latest`, (v) => `secretName: ${v}`],
    ];
    const [value, write] = cases[n % cases.length] as [string, (v: string) => string];
    return { value, text: write(value) };
  },
  "file-path": (n) => {
    const v = [
      "/home/dev/acme-widgets/node_modules/@babel/runtime/helpers/esm/asyncToGenerator.js",
      "src/features/authentication/components/PasswordResetConfirmationDialog.test.tsx",
      `/Users/dev/Library/Caches/ms-playwright/chromium_headless_shell-${1100 + n}/chrome-linux/headless_shell`,
    ][n % 3] as string;
    return { value: v, text: `Read ${v}` };
  },
  "package-version": (n) => {
    const v = `@aws-sdk/client-secrets-manager@3.${700 + n}.0 @typescript-eslint/eslint-plugin@8.${n % 20}.0`;
    return { value: v, text: `added ${v}` };
  },
  "usage-numbers": (n, pick) => {
    const v = `input_tokens=${pick(DIGITS, 4)} output_tokens=${pick(DIGITS, 3)} cache_read_input_tokens=${pick(DIGITS, 5)} max_tokens=${4096 * (1 + (n % 4))}`;
    return { value: v, text: v };
  },
  "env-reference": (n) => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: shell references, written as in an env file.
    const v = ["API_KEY=${API_KEY}", "GITHUB_TOKEN=$GITHUB_TOKEN", "DB_PASSWORD=${{ secrets.DB_PASSWORD }}", "TOKEN_LIMIT=4096"][
      n % 4
    ] as string;
    return { value: v, text: `${v} and more` };
  },
  "code-reference": (n) => {
    const v = [
      "accessKeyId: R2_ACCESS_KEY_ID, secretAccessKey: env.R2_SECRET_ACCESS_KEY",
      "password: process.env.DB_PASSWORD",
      "token: config.auth.refreshToken",
    ][n % 3] as string;
    return { value: v, text: `return { ${v} };` };
  },
  "code-call": (n) => {
    const v = ["const token = await getToken2(user); const password = hashPassword(input);", "apiKey = loadApiKeyFromVault(keyVaultName);"][
      n % 2
    ] as string;
    return { value: v, text: v };
  },
  prose: (n) => {
    const v = [
      "The token refresh logic reads the secret name from the key vault before the password prompt.",
      "Rotate the API key and the access token, then update the secret in the password manager.",
    ][n % 2] as string;
    return { value: v, text: v };
  },
};

export const LOOK_ALIKE_KINDS = Object.keys(LOOK_ALIKE_MAKERS);

/** `perKind` look-alikes of every kind, kinds interleaved; seeded, so the same every run. */
export function lookAlikes(seed = 1, perKind = 1): LookAlike[] {
  const { pick } = random(seed * 104729);
  const out: LookAlike[] = [];
  for (let n = 0; n < perKind; n++)
    for (const kind of LOOK_ALIKE_KINDS) out.push({ kind, ...(LOOK_ALIKE_MAKERS[kind] as (typeof LOOK_ALIKE_MAKERS)[string])(n, pick) });
  return out;
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

/** Secret `i` of every kind in turn, written plainly or inside a JSON document (a tool output of `cat config.json`). */
function secretAt(i: number, seed: number): Secret & { written: string } {
  const s = makeSecret(SECRET_KINDS[i % SECRET_KINDS.length] as string, seed * 1000 + i);
  return { ...s, written: i % 3 === 2 ? JSON.stringify({ config: s.text, path: ".env" }, null, 2) : s.text };
}

/** Secrets of every kind in turn, one in every conversational string. */
export function plantSecrets(carrier: Carrier, seed = 1): Planted {
  const secrets: Secret[] = [];
  const text = plantEach(carrier, (i) => {
    const s = secretAt(i, seed);
    secrets.push(s);
    return s.written;
  });
  return { text, secrets };
}

/**
 * The same secrets, each followed by `perPlace` look-alikes in turn on lines of their own: the look-alikes of
 * every kind (given places enough) share strings with secrets, as they do in real sessions.
 */
export function plantSecretsAndLookAlikes(carrier: Carrier, seed = 1, perPlace = 3): Planted & { alikes: LookAlike[] } {
  const secrets: Secret[] = [];
  const alikes: LookAlike[] = [];
  const table = lookAlikes(seed, 4);
  const text = plantEach(carrier, (i) => {
    const s = secretAt(i, seed);
    secrets.push(s);
    const these = Array.from({ length: perPlace }, (_, j) => table[(i * perPlace + j) % table.length] as LookAlike);
    alikes.push(...these);
    return [s.written, ...these.map((a) => a.text)].join("\n");
  });
  return { text, secrets, alikes };
}

/** Every look-alike in turn, in the same places. */
export function plantLookAlikes(carrier: Carrier, seed = 1): string {
  const alikes = lookAlikes(seed);
  return plantEach(carrier, (i) => (alikes[i % alikes.length] as { text: string }).text);
}
