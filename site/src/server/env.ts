import { env } from "cloudflare:workers";
import type { Env } from "../../../api/src/env.ts";

/** Bindings and secrets: inside Astro's pipeline they come from `cloudflare:workers`, not the request. */
export const getEnv = () => env as unknown as Env;
