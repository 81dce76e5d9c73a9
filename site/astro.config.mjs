import cloudflare from "@astrojs/cloudflare";
import { defineConfig } from "astro/config";

export default defineConfig({
  output: "server",
  // No Astro sessions or image transforms: the app stores nothing in KV and serves no optimized images.
  session: false,
  adapter: cloudflare({ configPath: "../wrangler.toml", imageService: "passthrough" }),
  security: { checkOrigin: true },
  // Every style is a file, so the Content-Security-Policy can be strict about styles too.
  build: { inlineStylesheets: "never" },
});
