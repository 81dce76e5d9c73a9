// Syntax highlighting with shiki, as classes instead of inline styles so the page's CSP stays strict:
// each token gets one class per theme (`l-<hex>` light, `d-<hex>` dark) and /app/-/highlight.css maps
// every color either theme can produce.

import bash from "@shikijs/langs/bash";
import css from "@shikijs/langs/css";
import diff from "@shikijs/langs/diff";
import go from "@shikijs/langs/go";
import html from "@shikijs/langs/html";
import javascript from "@shikijs/langs/javascript";
import json from "@shikijs/langs/json";
import markdown from "@shikijs/langs/markdown";
import python from "@shikijs/langs/python";
import rust from "@shikijs/langs/rust";
import sql from "@shikijs/langs/sql";
import tsx from "@shikijs/langs/tsx";
import typescript from "@shikijs/langs/typescript";
import yaml from "@shikijs/langs/yaml";
import githubDark from "@shikijs/themes/github-dark";
import githubLight from "@shikijs/themes/github-light";
import { createHighlighterCoreSync, type HighlighterCore } from "shiki/core";
import { createJavaScriptRegexEngine } from "shiki/engine/javascript";
import { escapeHtml } from "./markdown-escape.ts";

const LIGHT = "github-light";
const DARK = "github-dark";
/** Beyond this, code is shown plain: highlighting must not cost a page its speed. */
const MAX_CHARS = 20_000;

let highlighter: HighlighterCore | null = null;
function get(): HighlighterCore {
  highlighter ??= createHighlighterCoreSync({
    themes: [githubLight, githubDark],
    langs: [bash, css, diff, go, html, javascript, json, markdown, python, rust, sql, tsx, typescript, yaml],
    engine: createJavaScriptRegexEngine(),
  });
  return highlighter;
}

const ALIASES: Record<string, string> = {
  ts: "typescript",
  mts: "typescript",
  cts: "typescript",
  js: "javascript",
  mjs: "javascript",
  cjs: "javascript",
  jsx: "tsx",
  sh: "bash",
  shell: "bash",
  zsh: "bash",
  console: "bash",
  py: "python",
  rs: "rust",
  yml: "yaml",
  md: "markdown",
  patch: "diff",
};

export function languageOf(hint: string): string | null {
  const lang = hint.toLowerCase().replace(/^.*\./, "");
  const name = ALIASES[lang] ?? lang;
  return get().getLoadedLanguages().includes(name) ? name : null;
}

const cls = (prefix: string, color: string | undefined) => (color ? `${prefix}-${color.replace("#", "").toLowerCase()}` : "");

/** Highlighted HTML for the inside of a <code> element, or escaped plain text when the language is unknown. */
export function highlight(code: string, hint: string): string {
  const lang = languageOf(hint);
  if (!lang || code.length > MAX_CHARS) return escapeHtml(code);
  const h = get();
  const light = h.codeToTokensBase(code, { lang, theme: LIGHT });
  const dark = h.codeToTokensBase(code, { lang, theme: DARK });
  return light
    .map((line, i) =>
      line
        .map((token, j) => {
          const classes = [cls("l", token.color), cls("d", dark[i]?.[j]?.color)].filter(Boolean).join(" ");
          return classes ? `<span class="${classes}">${escapeHtml(token.content)}</span>` : escapeHtml(token.content);
        })
        .join(""),
    )
    .join("\n");
}

type ThemeColors = {
  colors?: Record<string, string>;
  settings?: { settings?: { foreground?: string } }[];
  tokenColors?: { settings?: { foreground?: string } }[];
};

function colors(theme: ThemeColors): string[] {
  const all = new Set<string>();
  for (const t of [...(theme.settings ?? []), ...(theme.tokenColors ?? [])])
    if (t.settings?.foreground) all.add(t.settings.foreground.toLowerCase());
  if (theme.colors?.["editor.foreground"]) all.add(theme.colors["editor.foreground"].toLowerCase());
  return [...all].filter((c) => /^#[0-9a-f]{3,8}$/.test(c));
}

/** The stylesheet for every class `highlight` can emit; dark colors apply wherever the page is dark. */
export function highlightCss(): string {
  const h = get();
  const light = colors(h.getTheme(LIGHT) as ThemeColors);
  const dark = colors(h.getTheme(DARK) as ThemeColors);
  return `${[
    ...light.map((c) => `.l-${c.slice(1)}{--hl-light:${c}}`),
    ...dark.map((c) => `.d-${c.slice(1)}{--hl-dark:${c}}`),
    // A token missing either color makes this invalid at computed time: it then inherits the text color.
    "pre.code span{color:light-dark(var(--hl-light),var(--hl-dark))}",
  ].join("\n")}\n`;
}
