import type { MiddlewareHandler } from "hono";
import { basicAuth } from "hono/basic-auth";
import type { Env } from "../../../api/src/env.ts";
import { constantTimeEqual } from "../../../api/src/http/auth.ts";

/** Basic auth for the UI with ADMIN_USERNAME / ADMIN_PASSWORD; refuses everyone while they are unset. */
export function adminAuth(getEnv: () => Env): MiddlewareHandler {
  return basicAuth({
    realm: "residue",
    verifyUser: async (username, password) => {
      const { ADMIN_USERNAME, ADMIN_PASSWORD } = getEnv();
      if (!ADMIN_USERNAME || !ADMIN_PASSWORD) return false;
      const [userOk, passOk] = await Promise.all([
        constantTimeEqual(username, ADMIN_USERNAME),
        constantTimeEqual(password, ADMIN_PASSWORD),
      ]);
      return userOk && passOk;
    },
  });
}
