// Progressive enhancements for /app (served as a file so the CSP can forbid inline scripts).
(() => {
  const root = document.documentElement;
  const saved = localStorage.getItem("residue-theme");
  if (saved) root.dataset.theme = saved;

  document.addEventListener("click", async (event) => {
    const target = event.target instanceof Element ? event.target : null;
    if (!target) return;
    if (target.closest("[data-theme-toggle]")) {
      const dark = root.dataset.theme ? root.dataset.theme === "dark" : matchMedia("(prefers-color-scheme: dark)").matches;
      root.dataset.theme = dark ? "light" : "dark";
      localStorage.setItem("residue-theme", root.dataset.theme);
      return;
    }
    const copy = target.closest("[data-copy-link]");
    if (copy) {
      event.preventDefault();
      const url = new URL(copy.getAttribute("href"), location.href).toString();
      history.replaceState(null, "", url);
      try {
        await navigator.clipboard.writeText(url);
        copy.textContent = "copied";
        setTimeout(() => (copy.textContent = "#"), 1200);
      } catch {
        // clipboard refused (no permission): the URL is in the address bar
      }
      return;
    }
    const load = target.closest("[data-load]");
    if (load) {
      event.preventDefault();
      if (await loadInPlace(load)) revealHash();
    }
  });

  async function loadInPlace(load) {
    load.setAttribute("aria-busy", "true");
    // "Show all" swaps its whole message for the uncut one; folds swap only themselves.
    const replaced = (load.dataset.replace && load.closest(load.dataset.replace)) || load;
    const res = await fetch(load.getAttribute("data-load"), { credentials: "same-origin" });
    if (!res.ok) {
      load.textContent = "Could not load; follow the link instead.";
      return false;
    }
    const template = document.createElement("template");
    template.innerHTML = await res.text(); // a server-rendered, escaped fragment of this app
    replaced.replaceWith(template.content);
    return true;
  }

  // Message anchors are m-<session id>-<index>; links from before they named the session (#m-42) mean
  // the first session on the page.
  function anchorOf(hash) {
    const legacy = /^m-(\d+)$/.exec(hash);
    const first = legacy && document.querySelector("[data-session]");
    return first ? `m-${first.dataset.session}-${legacy[1]}` : hash;
  }

  // A deep link into a folded part of the conversation loads and opens it.
  async function revealHash() {
    if (!location.hash) return;
    const id = anchorOf(decodeURIComponent(location.hash.slice(1)));
    let el = document.getElementById(id);
    const n = /^m-([0-9a-f-]{36})-(\d+)$/.exec(id);
    for (let tries = 0; !el && n && tries < 5; tries++) {
      const index = Number(n[2]);
      const fold = [...document.querySelectorAll(`a.fold[data-session="${n[1]}"]`)].find(
        (f) => Number(f.dataset.from) <= index && index <= Number(f.dataset.to),
      );
      if (!fold || !(await loadInPlace(fold))) break;
      el = document.getElementById(id);
    }
    if (!el) return;
    markTerms(el);
    for (let d = el.closest("details"); d; d = d.parentElement?.closest("details")) d.open = true;
    el.scrollIntoView({ block: "start" });
  }
  // A search hit opens with ?hl=<query>: its words are marked in the message it points at.
  function markTerms(el) {
    const query = new URLSearchParams(location.search).get("hl");
    if (!query || el.dataset.marked) return;
    el.dataset.marked = "1";
    const words = (query.match(/[\p{L}\p{N}_]+/gu) || []).filter((w) => !/^(file|tool)$/i.test(w));
    if (!words.length) return;
    const pattern = new RegExp(`(${words.map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|")})`, "giu");
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    const nodes = [];
    while (walker.nextNode()) nodes.push(walker.currentNode);
    for (const node of nodes) {
      const parts = node.nodeValue.split(pattern);
      if (parts.length < 2) continue;
      const frag = document.createDocumentFragment();
      parts.forEach((part, i) => {
        if (i % 2) {
          const mark = document.createElement("mark");
          mark.textContent = part;
          frag.append(mark);
        } else if (part) frag.append(document.createTextNode(part));
      });
      node.replaceWith(frag);
    }
    el.classList.add("hit");
  }

  addEventListener("hashchange", revealHash);
  addEventListener("DOMContentLoaded", revealHash);
})();
