// `npm start`: build the app, then serve API + UI locally in workerd with local D1/R2.
import { join } from "node:path";
import { ensureDevVars } from "./dev-vars.ts";
import { serveOwnRelease } from "./release.ts";
import { buildApp, ROOT, startLocalServer } from "./server.ts";

const port = Number(process.env.PORT ?? 8787);
if (!Number.isInteger(port) || port < 1 || port > 65535) {
  console.error(`PORT must be a port number, not '${process.env.PORT}'.`);
  process.exit(2);
}

const envFile = join(ROOT, ".dev.vars");
const { secrets, created } = ensureDevVars(envFile);
console.log(created ? `residue: wrote new local secrets to ${envFile}` : `residue: using local secrets from ${envFile}`);
console.log("residue: building the app…");
await buildApp();
console.log("residue: starting workerd (local D1 + R2 under .wrangler/state)…");
const persistTo = join(ROOT, ".wrangler/state");
const server = await startLocalServer({
  port,
  persistTo,
  buildCopy: join(ROOT, ".wrangler/serving"),
  envFile,
  onOutput: (s) => process.stderr.write(s),
});

console.log(`
  residue is running locally

  URL        ${server.url}
  UI         ${server.url}/app   (user: ${secrets.ADMIN_USERNAME}  password: ${secrets.ADMIN_PASSWORD})
  API token  ${secrets.AUTH_TOKEN}

  Connect the CLI:  residue login --url ${server.url} --token ${secrets.AUTH_TOKEN}
  Stop with Ctrl-C.
`);

// In the background, so the app serves at once: the first build of all five binaries takes a minute.
serveOwnRelease({ url: server.url, persistTo }, { onOutput: (s) => process.stderr.write(s) }).then(
  ({ release, uploaded }) =>
    console.log(
      `residue: ${uploaded.length ? "now serving" : "serving"} CLI release ${release.version}: curl -fsSL ${server.url}/install.sh | sh`,
    ),
  (error: Error) => console.error(`residue: the CLI release is not served (install.sh will say so): ${error.message}`),
);

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    void server.stop().then(() => process.exit(0));
  });
}
server.process.on("exit", (code) => process.exit(code ?? 1));
