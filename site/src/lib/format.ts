// Small, pure display helpers.

export function timeAgo(ms: number | null, now = Date.now()): string {
  if (!ms) return "";
  const s = Math.round((now - ms) / 1000);
  if (s < 60) return "just now";
  const units: [number, string][] = [
    [60, "minute"],
    [3600, "hour"],
    [86400, "day"],
    [2592000, "month"],
    [31536000, "year"],
  ];
  let unit = units[0] as [number, string];
  for (const u of units) if (s >= u[0]) unit = u;
  const n = Math.floor(s / unit[0]);
  return `${n} ${unit[1]}${n === 1 ? "" : "s"} ago`;
}

export const isoTime = (ms: number | null) => (ms ? new Date(ms).toISOString() : "");

export function bytes(n: number): string {
  return n < 1024 ? `${n} B` : n < 1024 ** 2 ? `${(n / 1024).toFixed(1)} KB` : `${(n / 1024 ** 2).toFixed(1)} MB`;
}

export const shortSha = (sha: string) => sha.slice(0, 7);

export const firstLine = (s: string) => s.split("\n", 1)[0] ?? "";

// Shared with the CLI's `residue show`.
export { toolSummary } from "@residue/formats/view";

export const TRUNCATE_AT = 2000;

export function truncate(s: string, at = TRUNCATE_AT): { text: string; cut: number } {
  return s.length > at ? { text: s.slice(0, at), cut: s.length - at } : { text: s, cut: 0 };
}

export function pretty(value: unknown): string {
  if (typeof value === "string") return value;
  try {
    return JSON.stringify(value, null, 2) ?? "";
  } catch {
    return String(value);
  }
}

/** Rules named in a session's redaction line; the rest are counted. */
const REDACTION_RULES_SHOWN = 8;

/**
 * "3 values redacted (aws-access-token: 2, generic-api-key: 1)", most frequent rule first; null when nothing
 * was redacted or the CLI that uploaded the session did not count (older versions).
 */
export function redactionText(counts: Record<string, number> | null | undefined): string | null {
  const entries = Object.entries(counts ?? {}).sort(([a, x], [b, y]) => y - x || a.localeCompare(b));
  const total = entries.reduce((n, [, count]) => n + count, 0);
  if (total === 0) return null;
  const named = entries.slice(0, REDACTION_RULES_SHOWN).map(([rule, count]) => `${rule}: ${count}`);
  const more = entries.length - named.length;
  return `${total} value${total === 1 ? "" : "s"} redacted (${named.join(", ")}${more > 0 ? `, ${more} more rule${more === 1 ? "" : "s"}` : ""})`;
}
