// The real agents, run non-interactively in a repo wired with `residue setup`, against a scripted model
// server on loopback: their own hooks fire, they write transcripts in their current format, and
// capture → commit → push must link those to the commit on the backend, whose page in a real browser
// shows every prompt sent and every reply given, and no record left unexplained.
import { execFile } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type Agent, classifyRecords, type RecordKinds } from "@residue/formats";
import type { Browser, BrowserContext } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from "vitest";
import { launch } from "../../e2e/support/browser.ts";
import { ROOT, Sandbox } from "./support/harness.ts";
import { type ModelServer, startGeminiServer, startModelServer, startResponsesServer } from "./support/model-server.ts";

const PROMPT = "Make hello.txt greet residue";

let server: ModelServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

let browser: Browser;
let context: BrowserContext;
/** What each agent's mapper made of the record kinds its real transcript holds: the figures in FIDELITY.md. */
const figures = new Map<Agent, RecordKinds>();

beforeAll(async () => {
  browser = await launch();
  // Signed in as the e2e suites are: credentials on every request.
  const basic = btoa(`${inject("adminUser")}:${inject("adminPassword")}`);
  context = await browser.newContext({ extraHTTPHeaders: { authorization: `Basic ${basic}` } });
});

afterAll(async () => {
  await browser?.close();
  const count = (r: Record<string, number>) => `${Object.keys(r).length} (${Object.keys(r).sort().join(", ") || "none"})`;
  const rows = [...figures].map(([agent, k]) => `| ${agent} | ${count(k.recognised)} | ${count(k.hidden)} | ${count(k.unknown)} |`);
  console.log(["| agent | kinds recognised | kinds hidden | kinds unknown |", "| --- | --- | --- | --- |", ...rows].join("\n"));
});

/** The commit's page in the browser shows every prompt and reply, and no unknown record; its kinds are counted. */
/**
 * The commit's permalink opens on the conversation (the prompt that started it, no unknown records), and the
 * session's full page, where the turns after the commit are too (an agent that commits mid-turn goes on
 * talking), shows every prompt sent and every reply the scripted server gave.
 */
async function expectRendered(sb: Sandbox, commit: { sha: string; sessions: { id: string }[] }, agent: Agent, raw: string, said: string[]) {
  expect(said.length).toBeGreaterThan(1);
  const pages = [`/app/${sb.owner}/widgets/${commit.sha}`, `/app/-/session/${commit.sessions[0]?.id}`];
  for (const [i, path] of pages.entries()) {
    const page = await context.newPage();
    const res = await page.goto(`${inject("baseUrl")}${path}`);
    expect(res?.status(), path).toBe(200);
    await page.waitForLoadState("load");
    const text = await page.locator("main").innerText();
    for (const s of i === 0 ? said.slice(0, 1) : said) expect(text, `${agent}: "${s}" on ${path}`).toContain(s);
    expect(await page.locator("details.raw").count(), `${agent}: records of unknown kinds on ${path}`).toBe(0);
    await page.close();
  }
  const kinds = classifyRecords(agent, raw);
  figures.set(agent, kinds);
  expect(kinds.unknown, agent).toEqual({});
}

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
    server = await startModelServer(
      [
        { tool: "Read", input: { file_path: join(sb.repo, "hello.txt") } },
        { tool: "Edit", input: { file_path: join(sb.repo, "hello.txt"), old_string: "hello world", new_string: "hello residue" } },
        // The agent commits itself, mid-turn: the session ends with the run, and is never linked to a later commit.
        { tool: "Bash", input: { command: "cat hello.txt && git commit -qam 'Greet residue'", description: "Commit" } },
        { text: "hello.txt now greets residue." },
      ],
      "Claude Code is done.",
    );
    const env = { ...sb.env, ANTHROPIC_BASE_URL: server.url, ANTHROPIC_API_KEY: "scripted", CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1" };
    const run = await runAgent("claude", ["-p", PROMPT, "--allowedTools", "Read,Edit,Bash"], sb.repo, env);
    expect(run.code, run.stderr).toBe(0);
    expect(readFileSync(join(sb.repo, "hello.txt"), "utf8")).toBe("hello residue\n");
    // Resumed, it appends to the same transcript, with records a first run does not write (e.g. `mode`).
    const thanks = "Now thank the reader in one line";
    const resumed = await runAgent("claude", ["-p", "--continue", thanks, "--allowedTools", "Read,Edit,Bash"], sb.repo, env);
    expect(resumed.code, resumed.stderr).toBe(0);
    const [transcript, ...others] = findFiles(join(sb.home, ".claude/projects"), ".jsonl");
    expect(transcript).toBeDefined();
    expect(others).toEqual([]);

    const queued = JSON.parse(sb.residue(["status", "--json"]).stdout).sessions;
    expect(queued).toMatchObject([{ agent: "claude-code", status: "ended", data_path: transcript }]);
    sb.git("push", "-q", "origin", "main");
    const page = await sb.api(`/repos/${sb.owner}/widgets`);
    const commit = page.body.commits.find((c: { message: string }) => c.message === "Greet residue");
    expect(commit.sessions).toMatchObject([{ agent: "claude-code", title: PROMPT }]);
    const raw = await rawSession(sb, commit.sessions[0].id);
    expect(raw).toBe(readFileSync(transcript as string, "utf8"));
    await expectRendered(sb, commit, "claude-code", raw, [PROMPT, thanks, ...server.replies]);
  });

  it("pi (@mariozechner/pi-coding-agent): the extension fires, the session file is linked to the commit", async () => {
    const sb = new Sandbox();
    writeFileSync(join(sb.repo, "hello.txt"), "hello world\n");
    sb.git("add", "hello.txt");
    sb.git("commit", "-qm", "hello");
    sb.residue(["init"]);
    sb.putResidueOnPath();
    expect(sb.residue(["setup", "pi"]).status).toBe(0);
    server = await startModelServer(
      [
        { tool: "read", input: { path: "hello.txt" } },
        { tool: "edit", input: { path: "hello.txt", edits: [{ oldText: "hello world", newText: "hello residue" }] } },
        { tool: "bash", input: { command: "cat hello.txt && git commit -qam 'Greet residue from pi'" } },
      ],
      "pi is done.",
    );
    mkdirSync(join(sb.home, ".pi/agent"), { recursive: true });
    writeFileSync(
      join(sb.home, ".pi/agent/models.json"),
      JSON.stringify({
        providers: { scripted: { baseUrl: server.url, api: "anthropic-messages", apiKey: "scripted", models: [{ id: "scripted-model" }] } },
      }),
    );
    const run = await runAgent(
      "pi",
      ["--print", "--offline", "--provider", "scripted", "--model", "scripted-model", PROMPT],
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
    expect(commit.sessions).toMatchObject([{ agent: "pi", title: PROMPT }]);
    const raw = await rawSession(sb, commit.sessions[0].id);
    expect(raw).toBe(readFileSync(sessionFile as string, "utf8"));
    await expectRendered(sb, commit, "pi", raw, [PROMPT, ...server.replies]);
  });

  it("Codex CLI (@openai/codex): no hook needed, capture finds the rollout by its cwd and links it", async () => {
    const sb = new Sandbox();
    writeFileSync(join(sb.repo, "hello.txt"), "hello world\n");
    sb.git("add", "hello.txt");
    sb.git("commit", "-qm", "hello");
    sb.residue(["init"]);
    server = await startResponsesServer(
      [{ tool: "exec_command", input: { cmd: "sed -i s/world/residue/ hello.txt && cat hello.txt" } }],
      "Codex is done.",
    );
    const codexHome = join(sb.home, ".codex");
    mkdirSync(codexHome, { recursive: true });
    writeFileSync(
      join(codexHome, "config.toml"),
      `model = "scripted"\nmodel_provider = "scripted"\n[model_providers.scripted]\nname = "scripted"\nbase_url = "${server.url}/v1"\nwire_api = "responses"\nenv_key = "SCRIPTED_API_KEY"\n`,
    );
    const run = await runAgent("codex", ["exec", "--dangerously-bypass-approvals-and-sandbox", PROMPT], sb.repo, {
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
    expect(commit.sessions).toMatchObject([{ agent: "codex", title: PROMPT }]);
    const raw = await rawSession(sb, commit.sessions[0].id);
    expect(raw).toBe(readFileSync(rollout as string, "utf8"));
    await expectRendered(sb, commit, "codex", raw, [PROMPT, ...server.replies]);
  });

  it("Gemini CLI (@google/gemini-cli): its hooks fire, the chat file is linked to the commit", async () => {
    const sb = new Sandbox();
    writeFileSync(join(sb.repo, "hello.txt"), "hello world\n");
    sb.git("add", "hello.txt");
    sb.git("commit", "-qm", "hello");
    sb.residue(["init"]);
    sb.putResidueOnPath();
    expect(sb.residue(["setup", "gemini"]).status).toBe(0);
    server = await startGeminiServer(
      [
        {
          tool: "run_shell_command",
          input: { command: "sed -i s/world/residue/ hello.txt && git commit -qam 'Greet residue from gemini'" },
        },
      ],
      "Gemini is done.",
    );
    mkdirSync(join(sb.home, ".gemini"), { recursive: true });
    writeFileSync(
      join(sb.home, ".gemini/settings.json"),
      JSON.stringify({
        security: { auth: { selectedType: "gemini-api-key" }, folderTrust: { enabled: false } },
        privacy: { usageStatisticsEnabled: false },
        general: { disableAutoUpdate: true, disableUpdateNag: true },
      }),
    );
    const run = await runAgent("gemini", ["-p", PROMPT, "--yolo", "-m", "gemini-2.5-flash"], sb.repo, {
      ...sb.env,
      GEMINI_API_KEY: "scripted",
      GOOGLE_GEMINI_BASE_URL: server.url,
    });
    expect(run.code, run.stderr).toBe(0);
    expect(readFileSync(join(sb.repo, "hello.txt"), "utf8")).toBe("hello residue\n");
    const [chat] = findFiles(join(sb.home, ".gemini/tmp"), ".jsonl");
    expect(chat).toBeDefined();
    // Gemini's shell tool runs git with core.hooksPath emptied, so its commit leaves no journal line: the
    // fold (here, status's) finds it among the commits made since the hook was installed.
    expect(JSON.parse(sb.residue(["status", "--json"]).stdout).sessions).toMatchObject([
      { agent: "gemini", status: "ended", data_path: chat },
    ]);

    sb.git("push", "-q", "origin", "main");
    const page = await sb.api(`/repos/${sb.owner}/widgets`);
    const commit = page.body.commits.find((c: { message: string }) => c.message === "Greet residue from gemini");
    expect(commit.sessions).toMatchObject([{ agent: "gemini", title: PROMPT }]);
    const raw = await rawSession(sb, commit.sessions[0].id);
    expect(raw).toBe(readFileSync(chat as string, "utf8"));
    await expectRendered(sb, commit, "gemini", raw, [PROMPT, ...server.replies]);
  });

  it("OpenCode (opencode-ai): the plugin writes the session on idle, and it is linked to the commit", async () => {
    const sb = new Sandbox();
    writeFileSync(join(sb.repo, "hello.txt"), "hello world\n");
    sb.git("add", "hello.txt");
    sb.git("commit", "-qm", "hello");
    sb.residue(["init"]);
    sb.putResidueOnPath();
    expect(sb.residue(["setup", "opencode"]).status).toBe(0);
    server = await startModelServer(
      [{ tool: "bash", input: { command: "sed -i s/world/residue/ hello.txt && cat hello.txt", description: "Edit the file" } }],
      "OpenCode is done.",
    );
    writeFileSync(
      join(sb.repo, "opencode.json"),
      JSON.stringify({
        provider: { anthropic: { options: { baseURL: `${server.url}/v1`, apiKey: "scripted" } } },
        model: "anthropic/claude-sonnet-4-5",
        autoupdate: false,
        share: "disabled",
      }),
    );
    const run = await runAgent("opencode", ["run", PROMPT], sb.repo, {
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
    expect(commit.sessions).toMatchObject([{ agent: "opencode", title: expect.stringContaining(PROMPT) }]);
    const raw = await rawSession(sb, commit.sessions[0].id);
    expect(raw).toBe(readFileSync(file as string, "utf8"));
    await expectRendered(sb, commit, "opencode", raw, [PROMPT, ...server.replies]);
  });
});
