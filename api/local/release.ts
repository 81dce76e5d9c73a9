// The local server hands out its own CLI as a deployed one does: the release is built when stale and put
// into the local R2 unless the server already serves that very release.
import { ReleaseManifest, type ReleaseTarget } from "@residue/protocol/release";
import { type BuiltRelease, buildRelease } from "../../cli/release/build.ts";
import { publishRelease } from "../../cli/release/publish.ts";

/** What the server at `url` serves as its current release, if anything readable. */
export async function servedRelease(url: string): Promise<ReleaseManifest | undefined> {
  const res = await fetch(`${url}/releases/current.json`);
  if (!res.ok) return undefined;
  return ReleaseManifest.safeParse(await res.json().catch(() => undefined)).data;
}

export async function serveOwnRelease(
  server: { url: string; persistTo: string },
  opts: { targets?: readonly ReleaseTarget[]; onOutput?: (s: string) => void } = {},
): Promise<{ release: BuiltRelease; uploaded: string[] }> {
  const release = await buildRelease({ targets: opts.targets, onOutput: opts.onOutput });
  const uploaded = await publishRelease(release, {
    to: { local: server.persistTo },
    existing: await servedRelease(server.url),
    onOutput: opts.onOutput,
  });
  return { release, uploaded };
}
