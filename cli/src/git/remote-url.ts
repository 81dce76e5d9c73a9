import type { RepoRef } from "@residue/protocol";

/**
 * Repo identity from a git remote URL: host (with a non-default port), owner path (GitLab subgroups kept)
 * and name. Accepts https, ssh://, git://, scp-like `git@host:owner/repo` and a `.git` suffix.
 */
export function parseRemoteUrl(raw: string): RepoRef | null {
  const url = raw.trim();
  let host: string;
  let path: string;
  const scp = /^(?:[^@/\s]+@)?([^:/\s]+):(?!\/)(.+)$/.exec(url);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      return null;
    }
    if (!["https:", "http:", "ssh:", "git:", "git+ssh:", "ssh+git:"].includes(parsed.protocol)) return null;
    const defaultPort = { "https:": "443", "http:": "80", "ssh:": "22", "git+ssh:": "22", "ssh+git:": "22", "git:": "9418" }[
      parsed.protocol
    ];
    host = parsed.hostname + (parsed.port && parsed.port !== defaultPort && !parsed.protocol.includes("ssh") ? `:${parsed.port}` : "");
    path = decodeURIComponent(parsed.pathname);
  } else if (scp && !url.startsWith("/") && !/^[A-Za-z]:[\\/]/.test(url)) {
    host = scp[1] ?? "";
    path = scp[2] ?? "";
  } else {
    return null;
  }
  const segments = path
    .replace(/\.git\/?$/, "")
    .split("/")
    .filter(Boolean);
  // Azure DevOps and some self-hosted forges put `_git` or `scm` between owner and name.
  const cleaned = segments.filter((s, i) => !(s === "_git" && i === segments.length - 2));
  if (cleaned[0]?.startsWith("~")) cleaned[0] = cleaned[0].slice(1);
  if (cleaned.length < 2) return null;
  const name = cleaned.at(-1) as string;
  const owner = cleaned.slice(0, -1).join("/");
  const valid = /^[A-Za-z0-9_.-]+$/;
  if (!host || !valid.test(name) || !cleaned.every((s) => valid.test(s) && s !== "." && s !== "..")) return null;
  return { host: host.toLowerCase(), owner, name };
}
