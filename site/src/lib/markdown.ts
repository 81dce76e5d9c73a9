// Markdown for agent and user text. All of it is untrusted: raw HTML is shown as text, links keep only
// safe schemes, and images become links (no request leaves the reader's browser on its own).
import { Marked, type Tokens } from "marked";
import { highlight } from "./highlight.ts";
import { escapeHtml } from "./markdown-escape.ts";

export { escapeHtml };

function safeHref(href: string): string | null {
  const trimmed = href.trim();
  if (/^(https?:|mailto:)/i.test(trimmed)) return trimmed;
  if (/^#[\w-]*$/.test(trimmed)) return trimmed;
  return null;
}

const marked = new Marked({
  gfm: true,
  breaks: false,
  renderer: {
    html(token: Tokens.HTML | Tokens.Tag) {
      return escapeHtml(token.text);
    },
    link(token: Tokens.Link) {
      const text = this.parser.parseInline(token.tokens);
      const href = safeHref(token.href);
      if (!href) return text;
      return `<a href="${escapeHtml(href)}" rel="nofollow noopener noreferrer" target="_blank">${text}</a>`;
    },
    image(token: Tokens.Image) {
      const href = safeHref(token.href);
      const label = escapeHtml(token.text || token.href);
      return href
        ? `<a href="${escapeHtml(href)}" rel="nofollow noopener noreferrer" target="_blank">[image: ${label}]</a>`
        : `[image: ${label}]`;
    },
    code(token: Tokens.Code) {
      const lang = (token.lang ?? "").match(/^[\w+#.-]*/)?.[0] ?? "";
      return `<pre class="code"${lang ? ` data-lang="${escapeHtml(lang)}"` : ""}><code>${highlight(token.text, lang)}</code></pre>`;
    },
  },
});

/** HTML that is safe to insert: every character of the input is escaped or produced by the renderer above. */
export function renderMarkdown(text: string): string {
  return marked.parse(text, { async: false }) as string;
}
