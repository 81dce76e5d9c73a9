// Rule tables as data: gitleaks' maintained table (generated into gitleaks-rules.ts) plus what such tables
// miss in agent transcripts, where text sits inside JSON strings: quotes arrive as `\"` (or `\\\"` one
// level deeper), line breaks as `\n`, and env files, connection strings and key blocks come whole inside
// one tool output. The engine reads escapes as spaces (an escaped quote as spaces and a quote), so these
// patterns see separators where the raw JSON text has `\n` or `\"`, and no string is decoded.

export interface RegexData {
  source: string;
  flags: string;
}

export interface RuleData extends RegexData {
  id: string;
  /** Lower-case words one of which must appear in the text before the regex runs (gitleaks' prefilter). */
  keywords: string[];
  /** The capture group holding the secret; otherwise the first group that matched, else the whole match. */
  secretGroup?: number;
  /** Minimum Shannon entropy (bits per character) of the secret. */
  entropy?: number;
  /**
   * How far before a keyword a match can start, when the pattern says (it starts with its keyword, or a few
   * characters before one): the rule then scans less text around each keyword. By default the engine's margin.
   */
  before?: number;
  allow?: { target: string; regexes: RegexData[]; stopwords: string[] }[];
}

type AllowList = NonNullable<RuleData["allow"]>[number];

export interface RuleTable {
  rules: RuleData[];
  /** Secrets matching one of these, or containing a stop word, are left alone whatever the rule. */
  allow: { regexes: RegexData[]; stopwords: string[] };
  /** Allow-lists this table adds to rules of any table, by rule id. */
  ruleAllow?: Record<string, AllowList[]>;
}

const rule = (id: string, re: RegExp, keywords: string[], extra: Partial<RuleData> = {}): RuleData => ({
  id,
  source: re.source,
  flags: re.flags.replace(/[gd]/g, ""),
  keywords,
  ...extra,
});

/**
 * A value that names something rather than hiding it: identifiers and paths with no digit (gitleaks' own
 * test), constants and member expressions such as `R2_ACCESS_KEY_ID` or `env.R2_ACCESS_KEY_ID` (code an
 * agent read: `accessKeyId: R2_ACCESS_KEY_ID`).
 */
const NAME_LIKE = {
  target: "secret",
  regexes: [
    { source: "^[a-zA-Z_./-]+$", flags: "" },
    { source: "^[A-Za-z_$][\\w$]*(?:\\.[A-Za-z_$][\\w$]*)+$", flags: "" },
    { source: "^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$", flags: "" },
  ],
  stopwords: [],
};

/**
 * A key named for what it identifies rather than what it unlocks: an idempotency key (a UUID in every Stripe
 * call), a CI cache key (`Linux-node-<hash of the lockfile>`), a database's partition or sort key.
 */
const ID_KEYS: AllowList = {
  target: "match",
  regexes: [{ source: "(?:idempotency|cache|partition|sort|row|object)[_. -]?key", flags: "i" }],
  stopwords: [],
};

/** A key that names, locates or measures a secret (`secretName`, `token_expires_at`, `password_length`): its value is not one. */
const ABOUT_A_SECRET: AllowList = {
  target: "match",
  regexes: [
    {
      source:
        "^(?:api[_-]?key|secret|token|passw(?:or)?d|credentials?)s?[_.-]?(?:name|id|arn|path|file|ref|version|length|size|count|type|limit|expires?(?:[_.-]?(?:at|in))?)\\b",
      flags: "i",
    },
  ],
  stopwords: [],
};

export const TRANSCRIPT_RULES: RuleTable = {
  rules: [
    // Whole blocks, also when `\n` escapes join their lines, and truncated ones (a `head` of a key file).
    rule(
      "private-key",
      /-----BEGIN[ A-Z0-9_-]{0,100}PRIVATE KEY(?: BLOCK)?-----(?:[\s\S]{16,16384}?-----END[ A-Z0-9_-]{0,100}PRIVATE KEY(?: BLOCK)?-----|[A-Za-z0-9+/=\s\\:,.-]{16,16384})/,
      ["-----begin"],
      { before: 0 },
    ),
    // postgres://user:pass@host, mongodb+srv://…, https://user:token@host: the password; a bare token as userinfo.
    rule(
      "url-credentials",
      /\b[a-z][a-z0-9+.-]{1,30}:\/\/(?:[^\s:@/?#"'\\]{0,256}:([^\s@/?#"'\\]{1,256})|([A-Za-z0-9_~.%-]{20,256}))@/i,
      ["://"],
      { before: 32 },
    ),
    rule("jwt", /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/, ["eyj"], { before: 0 }),
    // KEY=value lines of env files and shells, whatever the value looks like; numbers and $REFERENCES are not secrets.
    rule(
      "env-secret",
      /(?:^|[\s;,({"'])(?:export[ \t]+)?[A-Z][A-Z0-9_]*(?:SECRET|TOKEN|PASSWORD|PASSWD|PASSPHRASE|PWD|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY|CREDENTIALS?|AUTH|_KEY)[A-Z0-9_]*[ \t]*=[ \t]*["']?(?![0-9]+(?:[\s"'\\;,]|$))(?!\$)([^\s"'\\\x60]{3,512})/,
      ["secret", "token", "passw", "passphrase", "pwd", "api_key", "apikey", "access_key", "private_key", "credential", "auth", "_key"],
    ),
    // key/secret/token/password next to a value, quoted or not; a name followed by `(` is a call, not a value.
    rule(
      "keyword-secret",
      /(?:api[_-]?key|apikey|secret|token(?!i[sz])|passw(?:or)?d|passphrase|pwd|credentials?|auth[_-]?key|access[_-]?key|private[_-]?key)[a-z0-9_.-]{0,20}[ \t]{0,8}["']?[ \t]{0,8}(?::|=|=>|:=)[ \t]{0,8}["']?(?![0-9]+(?![A-Za-z0-9_\-+/=.~!@#%^&*]))([A-Za-z0-9_\-+/=.~!@#%^&*]{8,256})(?!\()/i,
      ["key", "secret", "token", "pass", "pwd", "credential"],
      // The longest name before its keyword: `private_` of `private_key`.
      { entropy: 3, before: 8, allow: [NAME_LIKE, ID_KEYS, ABOUT_A_SECRET] },
    ),
    rule("authorization-header", /\b(?:bearer|basic|token)[ \t]+([A-Za-z0-9_\-+/=.~]{16,4096})/i, ["bearer", "basic", "token"], {
      entropy: 3,
      before: 0,
      allow: [NAME_LIKE],
    }),
  ],
  // Our own marker, so text redacted twice reads the same.
  allow: { regexes: [{ source: "^\\[REDACTED:", flags: "" }], stopwords: [] },
  ruleAllow: { "generic-api-key": [ID_KEYS], "env-secret": [ID_KEYS] },
};
