// Every API answer names the server's build, so a CLI of another version can say so (docs/distribution.md).
// The server's version is the CLI package's: the server hands out the CLI of its own build.
import { VERSION } from "@residue/cli/version";
import { SERVER_VERSION_HEADER } from "@residue/protocol";
import type { MiddlewareHandler } from "hono";

export const SERVER_VERSION = VERSION;

/** Set before the handler runs, so error and 404 answers carry it too. */
export const serverVersion = (): MiddlewareHandler => async (c, next) => {
  c.header(SERVER_VERSION_HEADER, SERVER_VERSION);
  await next();
};
