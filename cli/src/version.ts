// The CLI's version, from its package.json: bundled into the compiled binary at build time, so a release
// binary reports the version it was built as, and the server's own build is compared against it.
import manifest from "../package.json" with { type: "json" };

export const VERSION: string = manifest.version;
