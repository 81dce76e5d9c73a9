// Access is decided on the path before any router sees it, so a path that two parsers could read two ways
// (`//app`, `/app%2f…`, `/%61pp`, a NUL) is refused outright rather than normalized: whatever the gate
// checks is then the very string the API and Astro route on.

/**
 * True when `pathname` (as `new URL(request.url).pathname` gives it: dot segments resolved, `\` already
 * turned into `/`) has a single reading: no empty segment, no control character, and percent-encoding only
 * where it is required (so re-encoding the decoded path gives back the same string).
 */
export function isCanonicalPath(pathname: string): boolean {
  if (!pathname.startsWith("/") || pathname.includes("//")) return false;
  let decoded: string;
  try {
    decoded = decodeURI(pathname);
  } catch {
    return false;
  }
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this refuses.
  if (/[\u0000-\u001f\u007f\\]/.test(decoded)) return false;
  return encodeURI(decoded) === pathname;
}
