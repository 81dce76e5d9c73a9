// What the server offers (`/releases/current.json`, docs/distribution.md) and which of its files this
// machine runs. Fetching is the I/O; picking is pure.
import { RELEASE_TARGETS, ReleaseManifest } from "@residue/protocol/release";
import { CliError } from "../../errors/cli-error.ts";

const NO_RELEASE_HINT = "the server uploads its build on `npm run deploy` (or `npm start` locally); ask whoever runs it";

export async function fetchManifest(server: string, timeoutMs: number): Promise<ReleaseManifest> {
  const url = `${server}/releases/current.json`;
  let res: Response;
  try {
    res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    throw new CliError(`cannot reach ${server} (${(error as Error).message})`, "is the URL right? `residue status` shows the server");
  }
  if (res.status === 404) throw new CliError(`${server} has no release of residue to hand out`, NO_RELEASE_HINT);
  if (!res.ok) throw new CliError(`${url} answered HTTP ${res.status}`, "try again; if it keeps failing, the server's logs say why");
  const parsed = ReleaseManifest.safeParse(await res.json().catch(() => null));
  if (!parsed.success) throw new CliError(`${url} is not a release manifest residue understands`, NO_RELEASE_HINT);
  return parsed.data;
}

export interface Pick {
  file: string;
  sha256: string;
  bytes: number;
}

/** The file for this OS and CPU, as install.sh picks it; a CliError when the server has none. */
export function pickFile(manifest: ReleaseManifest, platform: string, arch: string): Pick {
  const os = platform === "win32" ? "windows" : platform;
  const target = RELEASE_TARGETS.find((t) => t.os === os && t.arch === arch);
  if (!target)
    throw new CliError(`no residue build for ${platform}/${arch}`, `builds exist for ${RELEASE_TARGETS.map((t) => t.file).join(", ")}`);
  const entry = manifest.files[target.file];
  if (!entry) throw new CliError(`the server's release ${manifest.version} has no ${target.file}`, NO_RELEASE_HINT);
  return { file: target.file, ...entry };
}
