import type { APIRoute } from "astro";
import { highlightCss } from "../lib/highlight.ts";

let css: string | null = null;

export const GET: APIRoute = () => {
  css ??= highlightCss();
  return new Response(css, { headers: { "content-type": "text/css; charset=utf-8", "cache-control": "private, max-age=3600" } });
};
