// The real agents, run non-interactively in a repo wired with `residue setup`, against a scripted model
// server on loopback: their own hooks fire, they write transcripts in their current format, and
// capture → commit → push must link those to the commit on the backend.
import { execFile } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ROOT, Sandbox } from "./support/harness.ts";
import { type ModelServer, startGeminiServer, startModelServer, startResponsesServer } from "./support/model-server.ts";

let server: ModelServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

function runAgent(bin: string, args: string[], cwd: string, env: Record<string, string>) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    const child = execFile(join(ROOT, "node_modules/.bin", bin), args, { cwd, env, timeout: 90_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
    child.stdin?.end();
  });
}

function findFiles(dir: string, suffix: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith(suffix))
    .map((e) => join(e.parentPath, e.name));
}

const rawSession = async (sb: Sandbox, id: string) => (await sb.rawSession(id)).toString("utf8");

// Real agents start slowly on a loaded machine (OpenCode ~20 s cold).
describe("real agents", { timeout: 120_000 }, () => {
  it("Claude Code (@anthropic-ai/claude-code): hooks fire, the transcript is linked to the commit", async () => {
    const sb = new Sandbox();
    writeFileSync(join(sb.repo, "hello.txt"), "hello world\n");
    sb.git("add", "hello.txt");
    sb.git("commit", "-qm", "hello");
    expect(sb.residue(["init"]).status).toBe(0);
    expect(sb.residue(["setup", "claude-code"]).status).toBe(0);
    server = await startModelServer([
      { tool: "Read", input: { file_path: join(sb.repo, "hello.txt") } },
      { tool: "Edit", input: { file_path: join(sb.repo, "hello.txt"), old_string: "hello world", new_string: "hello residue" } },
      // The agent commits itself, mid-turn: the session ends with the run, and is never linked to a later commit.
      { tool: "Bash", input: { command: "cat hello.txt && git commit -qam 'Greet residue'", description: "Commit" } },
    ]);
    const run = await runAgent("claude", ["-p", "Make hello.txt greet residue", "--allowedTools", "Read,Edit,Bash"], sb.repo, {
      ...sb.env,
      ANTHROPIC_BASE_URL: server.url,
      ANTHROPIC_API_KEY: "scripted",
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
    });
    expect(run.code, run.stderr).toBe(0);
    expect(readFileSync(join(sb.repo, "hello.txt"), "utf8")).toBe("hello residue\n");
    const [transcript] = findFiles(join(sb.home, ".claude/projects"), ".jsonl");
    expect(transcript).toBeDefined();

    const queued = JSON.parse(sb.residue(["status", "--json"]).stdout).sessions;
    expect(queued).toMatchObject([{ agent: "claude-code", status: "ended", data_path: transcript }]);
    sb.git("push", "-q", "origin", "main");
    const page = await sb.api(`/repos/${sb.owner}/widgets`);
    const commit = page.body.commits.find((c: { message: string }) => c.message === "Greet residue");
    expect(commit.sessions).toMatchObject([{ agent: "claude-code", title: "Make hello.txt greet residue" }]);
    expect(await rawSession(sb, commit.sessions[0].id)).toBe(readFileSync(transcript as string, "utf8"));
  });

  it("pi (@mariozechner/pi-coding-agent): the extension fires, the session file is linked to the commit", async () => {
    const sb = new Sandbox();
    writeFileSync(join(sb.repo, "hello.txt"), "hello world\n");
    sb.git("add", "hello.txt");
    sb.git("commit", "-qm", "hello");
    sb.residue(["init"]);
    expect(sb.residue(["setup", "pi"]).status).toBe(0);
    server = await startModelServer([
      { tool: "read", input: { path: "hello.txt" } },
      { tool: "edit", input: { path: "hello.txt", edits: [{ oldText: "hello world", newText: "hello residue" }] } },
      { tool: "bash", input: { command: "cat hello.txt && git commit -qam 'Greet residue from pi'" } },
    ]);
    mkdirSync(join(sb.home, ".pi/agent"), { recursive: true });
    writeFileSync(
      join(sb.home, ".pi/agent/models.json"),
      JSON.stringify({
        providers: { scripted: { baseUrl: server.url, api: "anthropic-messages", apiKey: "scripted", models: [{ id: "scripted-model" }] } },
      }),
    );
    const run = await runAgent(
      "pi",
      ["--print", "--offline", "--provider", "scripted", "--model", "scripted-model", "Make hello.txt greet residue"],
      sb.repo,
      sb.env,
    );
    expect(run.code, run.stderr).toBe(0);
    expect(readFileSync(join(sb.repo, "hello.txt"), "utf8")).toBe("hello residue\n");
    const [sessionFile] = findFiles(join(sb.home, ".pi/agent/sessions"), ".jsonl");
    expect(sessionFile).toBeDefined();
    expect(JSON.parse(sb.residue(["status", "--json"]).stdout).sessions).toMatchObject([
      { agent: "pi", status: "ended", data_path: sessionFile },
    ]);

    sb.git("push", "-q", "origin", "main");
    const page = await sb.api(`/repos/${sb.owner}/widgets`);
    const commit = page.body.commits.find((c: { message: string }) => c.message === "Greet residue from pi");
    expect(commit.sessions).toMatchObject([{ agent: "pi", title: "Make hello.txt greet residue" }]);
    expect(await rawSession(sb, commit.sessions[0].id)).toBe(readFileSync(sessionFile as string, "utf8"));
  });

  it("Codex CLI (@openai/codex): no hook needed, capture finds the rollout by its cwd and links it", async () => {
    const sb = new Sandbox();
    writeFileSync(join(sb.repo, "hello.txt"), "hello world\n");
    sb.git("add", "hello.txt");
    sb.git("commit", "-qm", "hello");
    sb.residue(["init"]);
    server = await startResponsesServer([{ tool: "exec_command", input: { cmd: "sed -i s/world/residue/ hello.txt && cat hello.txt" } }]);
    const codexHome = join(sb.home, ".codex");
    mkdirSync(codexHome, { recursive: true });
    writeFileSync(
      join(codexHome, "config.toml"),
      `model = "scripted"\nmodel_provider = "scripted"\n[model_providers.scripted]\nname = "scripted"\nbase_url = "${server.url}/v1"\nwire_api = "responses"\nenv_key = "SCRIPTED_API_KEY"\n`,
    );
    const run = await runAgent("codex", ["exec", "--dangerously-bypass-approvals-and-sandbox", "Make hello.txt greet residue"], sb.repo, {
      ...sb.env,
      CODEX_HOME: codexHome,
      SCRIPTED_API_KEY: "scripted",
    });
    expect(run.code, run.stderr).toBe(0);
    expect(readFileSync(join(sb.repo, "hello.txt"), "utf8")).toBe("hello residue\n");
    const [rollout] = findFiles(join(codexHome, "sessions"), ".jsonl");
    expect(rollout).toBeDefined();

    sb.git("commit", "-qam", "Greet residue from codex");
    sb.git("push", "-q", "origin", "main");
    const page = await sb.api(`/repos/${sb.owner}/widgets`);
    const commit = page.body.commits.find((c: { message: string }) => c.message === "Greet residue from codex");
    expect(commit.sessions).toMatchObject([{ agent: "codex", title: "Make hello.txt greet residue" }]);
    expect(await rawSession(sb, commit.sessions[0].id)).toBe(readFileSync(rollout as string, "utf8"));
  });

  it("Gemini CLI (@google/gemini-cli): its hooks fire, the chat file is linked to the commit", async () => {
    const sb = new Sandbox();
    writeFileSync(join(sb.repo, "hello.txt"), "hello world\n");
    sb.git("add", "hello.txt");
    sb.git("commit", "-qm", "hello");
    sb.residue(["init"]);
    expect(sb.residue(["setup", "gemini"]).status).toBe(0);
    server = await startGeminiServer([
      { tool: "run_shell_command", input: { command: "sed -i s/world/residue/ hello.txt && git commit -qam 'Greet residue from gemini'" } },
    ]);
    mkdirSync(join(sb.home, ".gemini"), { recursive: true });
    writeFileSync(
      join(sb.home, ".gemini/settings.json"),
      JSON.stringify({
        security: { auth: { selectedType: "gemini-api-key" }, folderTrust: { enabled: false } },
        privacy: { usageStatisticsEnabled: false },
        general: { disableAutoUpdate: true, disableUpdateNag: true },
      }),
    );
    const run = await runAgent("gemini", ["-p", "Make hello.txt greet residue", "--yolo", "-m", "gemini-2.5-flash"], sb.repo, {
      ...sb.env,
      GEMINI_API_KEY: "scripted",
      GOOGLE_GEMINI_BASE_URL: server.url,
    });
    expect(run.code, run.stderr).toBe(0);
    expect(readFileSync(join(sb.repo, "hello.txt"), "utf8")).toBe("hello residue\n");
    const [chat] = findFiles(join(sb.home, ".gemini/tmp"), ".jsonl");
    expect(chat).toBeDefined();
    // The commit Gemini's shell tool made left no journal line (its shell runs git without our post-commit
    // hook taking effect, seen with 0.61): `residue capture` records HEAD as a user would.
    expect(sb.residue(["capture"]).stdout).toContain("linked 1 session(s)");
    expect(JSON.parse(sb.residue(["status", "--json"]).stdout).sessions).toMatchObject([
      { agent: "gemini", status: "ended", data_path: chat },
    ]);

    sb.git("push", "-q", "origin", "main");
    const page = await sb.api(`/repos/${sb.owner}/widgets`);
    const commit = page.body.commits.find((c: { message: string }) => c.message === "Greet residue from gemini");
    expect(commit.sessions).toMatchObject([{ agent: "gemini", title: "Make hello.txt greet residue" }]);
    expect(await rawSession(sb, commit.sessions[0].id)).toBe(readFileSync(chat as string, "utf8"));
  });

  it("OpenCode (opencode-ai): the plugin writes the session on idle, and it is linked to the commit", async () => {
    const sb = new Sandbox();
    writeFileSync(join(sb.repo, "hello.txt"), "hello world\n");
    sb.git("add", "hello.txt");
    sb.git("commit", "-qm", "hello");
    sb.residue(["init"]);
    expect(sb.residue(["setup", "opencode"]).status).toBe(0);
    server = await startModelServer([
      { tool: "bash", input: { command: "sed -i s/world/residue/ hello.txt && cat hello.txt", description: "Edit the file" } },
    ]);
    writeFileSync(
      join(sb.repo, "opencode.json"),
      JSON.stringify({
        provider: { anthropic: { options: { baseURL: `${server.url}/v1`, apiKey: "scripted" } } },
        model: "anthropic/claude-sonnet-4-5",
        autoupdate: false,
        share: "disabled",
      }),
    );
    const run = await runAgent("opencode", ["run", "Make hello.txt greet residue"], sb.repo, {
      ...sb.env,
      OPENCODE_DISABLE_AUTOUPDATE: "1",
    });
    expect(run.code, run.stderr).toBe(0);
    expect(readFileSync(join(sb.repo, "hello.txt"), "utf8")).toBe("hello residue\n");
    const [file] = findFiles(join(sb.home, ".local/share/residue/opencode"), ".jsonl");
    expect(file).toBeDefined();
    expect(JSON.parse(sb.residue(["status", "--json"]).stdout).sessions).toMatchObject([{ agent: "opencode", data_path: file }]);

    sb.git("add", "hello.txt");
    sb.git("commit", "-qm", "Greet residue from opencode");
    sb.git("push", "-q", "origin", "main");
    const page = await sb.api(`/repos/${sb.owner}/widgets`);
    const commit = page.body.commits.find((c: { message: string }) => c.message === "Greet residue from opencode");
    // opencode run stores the prompt as it was passed, quotes included.
    expect(commit.sessions).toMatchObject([{ agent: "opencode", title: expect.stringContaining("Make hello.txt greet residue") }]);
    expect(await rawSession(sb, commit.sessions[0].id)).toBe(readFileSync(file as string, "utf8"));
  });
});
