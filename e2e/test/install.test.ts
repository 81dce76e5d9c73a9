// The server hands out its own CLI (#14): `curl -fsSL <server>/install.sh | sh` in a fresh HOME, with a
// PATH that holds no checkout, installs the release the local server serves from its R2 (put there the way
// `npm start` does), and the installed binary works; a damaged download, a wrong SHA256SUMS or a platform
// without a build fail with a clear message and change nothing; the linux-arm64 build runs under qemu-user.
import { execFileSync, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { formatSums, RELEASE_TARGETS, type ReleaseManifest, releaseKey, SUMS_FILE } from "@residue/protocol/release";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { serveOwnRelease } from "../../api/local/release.ts";
import { type LocalServer, startTemporaryServer } from "../../api/local/server.ts";
import { putObjects } from "../../cli/release/publish.ts";
import { Sandbox, stamp, transcriptLines } from "../../cli/test/support/harness.ts";

/** Only what a fresh machine has: no checkout, no node_modules/.bin on PATH. */
const SYSTEM_PATH = "/usr/bin:/bin";
const QEMU = "qemu-aarch64";
/** Debian's libc6-arm64-cross: bun binaries are linked against glibc, which qemu finds under -L. */
const ARM64_SYSROOT = "/usr/aarch64-linux-gnu";
const targets = RELEASE_TARGETS.filter((t) => t.os === "linux");

let server: LocalServer & { persistTo: string; secrets: Record<string, string> };
let release: ReleaseManifest;
const scratch = mkdtempSync(join(tmpdir(), "residue-install-"));

beforeAll(async () => {
  server = await startTemporaryServer();
}, 120_000);

afterAll(async () => {
  await server?.stop();
  rmSync(scratch, { recursive: true, force: true });
});

let homes = 0;
function freshHome(): string {
  const home = join(scratch, `home-${++homes}`);
  mkdirSync(home);
  return home;
}

interface Run {
  status: number;
  stdout: string;
  stderr: string;
}

/** `curl -fsSL <server>/install.sh | <shell> [-s -- args]`, in a clean environment. */
function install(home: string, opts: { shell?: string; args?: string[]; env?: Record<string, string>; path?: string } = {}): Run {
  const shell = opts.shell ?? "sh";
  const args = opts.args?.length ? ` -s -- ${opts.args.map((a) => `'${a}'`).join(" ")}` : "";
  const r = spawnSync("/bin/sh", ["-c", `curl -fsSL '${server.url}/install.sh' | ${shell}${args}`], {
    env: { HOME: home, PATH: opts.path ?? SYSTEM_PATH, ...opts.env },
    encoding: "utf8",
    timeout: 120_000,
  });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

const sha256 = (path: string) => createHash("sha256").update(readFileSync(path)).digest("hex");

/** Puts `content` into the local R2 under `key`, replacing what the release put there. */
async function replaceObject(key: string, content: string | Buffer) {
  const file = join(scratch, `object-${createHash("sha256").update(key).digest("hex").slice(0, 8)}`);
  writeFileSync(file, content);
  await putObjects([{ key, file, contentType: "application/octet-stream" }], { local: server.persistTo });
}

describe("before a release is uploaded", () => {
  it("install.sh says the server has none, and current.json answers 404 no_release", async () => {
    const home = freshHome();
    const r = install(home);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`the server ${server.url} has no CLI release uploaded yet`);
    expect(readdirSync(home)).toEqual([]);
    const res = await fetch(`${server.url}/releases/current.json`);
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("no_release");
  });
});

describe("with the release npm start uploads", () => {
  let installed = "";

  beforeAll(async () => {
    // The Linux builds only: the other three would cost upload time and prove nothing more here.
    const served = await serveOwnRelease(server, { targets });
    release = served.release.manifest;
    expect(Object.keys(release.files)).toEqual(targets.map((t) => t.file));
    expect(served.uploaded.at(-1)).toBe("releases/current.json");
    // The server now serves it, so a second start uploads nothing.
    expect((await serveOwnRelease(server, { targets })).uploaded).toEqual([]);
  }, 600_000);

  it("serves the manifest, the sums and the binaries, with their length, revalidated by ETag", async () => {
    expect(await (await fetch(`${server.url}/releases/current.json`)).json()).toEqual(release);
    const sums = await fetch(`${server.url}/releases/${release.version}/${SUMS_FILE}`);
    expect(await sums.text()).toBe(formatSums(release));
    const binary = await fetch(`${server.url}/releases/${release.version}/residue-linux-x64`, { method: "HEAD" });
    expect(binary.status).toBe(200);
    expect(binary.headers.get("content-length")).toBe(String(release.files["residue-linux-x64"]?.bytes));
    // Rebuilt under the same version when the CLI changes, so caches must ask again: a 304 while it holds.
    expect(binary.headers.get("cache-control")).toBe("no-cache");
    const etag = binary.headers.get("etag") as string;
    const again = await fetch(`${server.url}/releases/${release.version}/${SUMS_FILE}`, {
      headers: { "if-none-match": sums.headers.get("etag") as string },
    });
    expect(again.status).toBe(304);
    const changed = await fetch(`${server.url}/releases/${release.version}/residue-linux-x64`, {
      method: "HEAD",
      headers: { "if-none-match": `"x${etag.slice(1)}` },
    });
    expect(changed.status).toBe(200);
    for (const path of [`/releases/${release.version}/residue-darwin-x64`, `/releases/9.9.9/residue-linux-x64`]) {
      expect((await fetch(`${server.url}${path}`)).status, path).toBe(404);
    }
  });

  it("installs with curl | sh (dash) into ~/.local/bin and says how to put it on PATH", () => {
    expect(realpathSync("/bin/sh")).toBe("/usr/bin/dash");
    const home = freshHome();
    const r = install(home);
    expect(r.status, r.stderr).toBe(0);
    installed = join(home, ".local/bin/residue");
    expect(r.stdout).toContain(`installed residue ${release.version} to ${installed}`);
    expect(r.stdout).toContain(`${join(home, ".local/bin")} is not on your PATH`);
    expect(r.stdout).toContain(`export PATH="${join(home, ".local/bin")}:$PATH"`);
    expect(sha256(installed)).toBe(release.files["residue-linux-x64"]?.sha256);
    expect(readdirSync(join(home, ".local/bin"))).toEqual(["residue"]);

    const version = spawnSync("residue", ["--version"], {
      env: { HOME: home, PATH: `${SYSTEM_PATH}:${join(home, ".local/bin")}` },
      encoding: "utf8",
    });
    expect(version.stdout.trim()).toBe(release.version);
  });

  it("installs under bash into a directory named as an argument or by RESIDUE_INSTALL_DIR, quiet about a PATH that has it", () => {
    const home = freshHome();
    const byArg = join(home, "tools");
    const r = install(home, { shell: "bash", args: [byArg], path: `${SYSTEM_PATH}:${byArg}` });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).not.toContain("not on your PATH");
    expect(execFileSync(join(byArg, "residue"), ["--version"], { encoding: "utf8" }).trim()).toBe(release.version);

    const byEnv = join(home, "opt bin");
    const e = install(home, { shell: "bash", env: { RESIDUE_INSTALL_DIR: byEnv } });
    expect(e.status, e.stderr).toBe(0);
    expect(sha256(join(byEnv, "residue"))).toBe(release.files["residue-linux-x64"]?.sha256);
  });

  it("downloads with wget and checks with shasum where curl and sha256sum are missing", () => {
    const home = freshHome();
    // A PATH of only what the script may use, less curl and sha256sum (macOS has shasum, some Linux only wget).
    const tools = join(home, "tools");
    mkdirSync(tools);
    for (const tool of ["uname", "wget", "shasum", "perl", "awk", "mktemp", "chmod", "mkdir", "cp", "mv", "rm"]) {
      symlinkSync(
        execFileSync("/bin/sh", ["-c", `command -v ${tool}`], { encoding: "utf8", env: { PATH: SYSTEM_PATH } }).trim(),
        join(tools, tool),
      );
    }
    const r = spawnSync("/bin/sh", ["-c", `/usr/bin/curl -fsSL '${server.url}/install.sh' | /usr/bin/dash`], {
      env: { HOME: home, PATH: tools },
      encoding: "utf8",
    });
    expect(r.status, r.stderr).toBe(0);
    expect(sha256(join(home, ".local/bin/residue"))).toBe(release.files["residue-linux-x64"]?.sha256);
  });

  it("the installed binary logs in, sets up Claude Code, its committed hook records, and git's hook pushes to the server it came from", async () => {
    const sb = new Sandbox(server.url, server.secrets.AUTH_TOKEN);
    sb.command = [installed];
    sb.env.PATH = `${SYSTEM_PATH}:${join(installed, "..")}`;
    // Signed in the way a user does, not through the environment.
    delete sb.env.RESIDUE_URL;
    delete sb.env.RESIDUE_TOKEN;
    const login = sb.residue(["login", "--url", server.url, "--token-stdin"], { input: server.secrets.AUTH_TOKEN });
    expect(login.status, login.stderr).toBe(0);
    expect(sb.residue(["init"]).status).toBe(0);
    const setup = sb.residue(["setup", "claude-code"]);
    expect(setup.status, setup.stderr).toBe(0);
    // What the team commits names no path of this machine: the hook finds residue on PATH.
    const settingsText = readFileSync(join(sb.repo, ".claude/settings.json"), "utf8");
    expect(settingsText).not.toContain(scratch);
    expect(settingsText).not.toMatch(/\/(home|root|tmp)\//);
    const hooks = JSON.parse(settingsText).hooks as Record<string, { hooks: { command: string }[] }[]>;
    const transcript = join(sb.dir, "session.jsonl");
    writeFileSync(transcript, transcriptLines([stamp(), stamp()]));
    const session = { session_id: "0c6f1e2a-7b3d-4c5e-8f9a-1b2c3d4e5f60", transcript_path: transcript, cwd: sb.repo };
    // Claude Code runs hook commands through a shell, with its JSON payload on stdin.
    const fire = (event: string, extra: Record<string, string> = {}) => {
      const command = hooks[event]?.[0]?.hooks[0]?.command;
      expect(command, `no ${event} hook`).toBeTruthy();
      const run = spawnSync("sh", ["-c", command as string], {
        cwd: sb.repo,
        env: sb.env,
        input: JSON.stringify({ ...session, hook_event_name: event, ...extra }),
        encoding: "utf8",
      });
      expect(run.status, run.stderr).toBe(0);
    };
    fire("SessionStart", { source: "startup" });
    sb.edit("parser.ts", "export const parse = 1;\n");
    sb.git("commit", "-qm", "Add parser");
    fire("SessionEnd", { reason: "exit" });
    sb.git("push", "-q", "origin", "main");
    const sha = sb.git("rev-parse", "HEAD").trim();
    const auth = { authorization: `Basic ${btoa(`${server.secrets.ADMIN_USERNAME}:${server.secrets.ADMIN_PASSWORD}`)}` };
    const permalink = await fetch(`${server.url}/app/${sb.owner}/widgets/${sha}`, { headers: auth });
    expect(permalink.status).toBe(200);
    expect(await permalink.text()).toContain(`s-${session.session_id}`);
  }, 120_000);

  it("the linux-arm64 build, downloaded from the server, runs --version and a capture under qemu-user", async () => {
    const qemu = spawnSync(QEMU, ["--version"], { encoding: "utf8" });
    if (qemu.status !== 0 || !existsSync(ARM64_SYSROOT)) {
      throw new Error(`needs Debian's qemu-user and libc6-arm64-cross: apt-get install -y qemu-user libc6-arm64-cross (.ci/run does)`);
    }
    const binary = join(scratch, "residue-linux-arm64");
    const res = await fetch(`${server.url}/releases/${release.version}/residue-linux-arm64`);
    writeFileSync(binary, Buffer.from(await res.arrayBuffer()));
    chmodSync(binary, 0o755);
    expect(sha256(binary)).toBe(release.files["residue-linux-arm64"]?.sha256);
    const emulated = [QEMU, "-L", ARM64_SYSROOT, binary];
    expect(execFileSync(QEMU, emulated.slice(1).concat("--version"), { encoding: "utf8" }).trim()).toBe(release.version);

    const sb = new Sandbox(server.url, server.secrets.AUTH_TOKEN);
    sb.command = emulated;
    expect(sb.residue(["init"]).status).toBe(0);
    const transcript = join(sb.dir, "session.jsonl");
    writeFileSync(transcript, transcriptLines([stamp(), stamp()]));
    const start = sb.residue(["session", "start", "--agent", "claude-code", "--data", transcript]);
    expect(start.status, start.stderr).toBe(0);
    const id = start.stdout.trim();
    sb.edit("arm.ts", "export const arm = 64;\n");
    sb.git("commit", "-qm", "Built on arm64");
    // The push through the emulated binary itself: the hook git would run names a binary this x64 kernel cannot exec.
    const push = sb.residue(["push"]);
    expect(push.status, push.stderr).toBe(0);
    const page = await sb.api(`/repos/${sb.owner}/widgets`);
    const commit = page.body.commits.find((c: { message: string }) => c.message === "Built on arm64");
    expect(commit.sessions.map((s: { id: string }) => s.id)).toEqual([id]);
  }, 180_000);

  it("fails clearly on an OS or CPU without a build, and changes nothing", () => {
    for (const [os, cpu, message] of [
      ["SunOS", "x86_64", "there is no residue build for this operating system ('SunOS')"],
      ["Linux", "riscv64", "there is no residue build for this CPU ('riscv64' on linux)"],
      ["MINGW64_NT-10.0", "x86_64", `this is Windows: install from PowerShell instead: irm ${server.url}/install.ps1 | iex`],
    ]) {
      const home = freshHome();
      const shim = join(home, "shim");
      mkdirSync(shim);
      writeFileSync(join(shim, "uname"), `#!/bin/sh\ncase "$1" in -s) echo '${os}' ;; -m) echo '${cpu}' ;; esac\n`, { mode: 0o755 });
      const r = install(home, { path: `${shim}:${SYSTEM_PATH}` });
      expect(r.status, os).toBe(1);
      expect(r.stderr).toContain(message);
      expect(readdirSync(home)).toEqual(["shim"]);
    }
  });

  it("refuses a release whose SHA256SUMS does not match the binary, keeping the installed one", async () => {
    const dir = join(installed, "..");
    const wrong = { ...release, files: { ...release.files, "residue-linux-x64": { sha256: "0".repeat(64), bytes: 1 } } };
    await replaceObject(releaseKey(release.version, SUMS_FILE), formatSums(wrong));
    const r = install(join(dir, "../.."));
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(
      `residue-linux-x64 failed its checksum (SHA-256 ${release.files["residue-linux-x64"]?.sha256}, SHA256SUMS says ${"0".repeat(64)})`,
    );
    expect(readdirSync(dir)).toEqual(["residue"]);
    expect(sha256(installed)).toBe(release.files["residue-linux-x64"]?.sha256);
    await replaceObject(releaseKey(release.version, SUMS_FILE), formatSums(release));
  }, 120_000);

  it("refuses a damaged binary in R2: a fresh HOME stays empty, an installed residue stays as it was", async () => {
    await replaceObject(releaseKey(release.version, "residue-linux-x64"), Buffer.from("#!/bin/sh\necho pwned\n"));
    const fresh = freshHome();
    const r = install(fresh);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("residue-linux-x64 failed its checksum");
    expect(r.stderr).toContain("Nothing was installed.");
    expect(readdirSync(fresh)).toEqual([]);

    const again = install(join(installed, "../../.."));
    expect(again.status).toBe(1);
    expect(readdirSync(join(installed, ".."))).toEqual(["residue"]);
    expect(sha256(installed)).toBe(release.files["residue-linux-x64"]?.sha256);
  }, 120_000);
});
