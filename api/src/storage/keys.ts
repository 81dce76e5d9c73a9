/** The one R2 key of a session's raw data. Session ids are validated UUIDs, so no path tricks reach R2. */
export function sessionObjectKey(sessionId: string): string {
  return `sessions/${sessionId}`;
}
