/** `bytes` random bytes as lowercase hex: unguessable ids for grants and sign-ins. */
export function randomHex(bytes: number): string {
  return [...crypto.getRandomValues(new Uint8Array(bytes))].map((b) => b.toString(16).padStart(2, "0")).join("");
}
