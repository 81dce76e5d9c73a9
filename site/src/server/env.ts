import { env } from "cloudflare:workers";
import type { Env } from "@residue/api/env";

/** Bindings and secrets: inside Astro's pipeline they come from `cloudflare:workers`, not the request. */
export const getEnv = () => env as unknown as Env;
