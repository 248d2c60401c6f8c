// Run in a page once MathJax has typeset it: the list of its layout problems.
// `wide` (a window of 1400 px or more) adds: tables and display equations fit.
(wide) => {
  const problems = [];
  const name = (el) => {
    const text = (el.textContent || "").replace(/\s+/g, " ").trim();
    return `<${el.tagName.toLowerCase()}${el.className && typeof el.className ===
      "string" ? "." + el.className.trim().split(/\s+/).join(".") : ""}> ` +
      JSON.stringify(text.slice(0, 50));
  };
  const shown = (el) => el.getClientRects().length > 0 &&
    getComputedStyle(el).visibility !== "hidden";
  const scrolls = (cs) => ["auto", "scroll"].includes(cs.overflowX) ||
    ["auto", "scroll"].includes(cs.overflowY);
  const page = document.scrollingElement;
  if (page.scrollWidth > window.innerWidth + 1) {
    problems.push(`the page scrolls sideways: ${page.scrollWidth} px wide`);
  }
  for (const h of document.querySelectorAll("h1, h2, h3, h4, h5, h6")) {
    if (!shown(h)) continue;
    if (h.scrollWidth > h.clientWidth + 1) problems.push(`heading cut: ${name(h)}`);
    const walk = document.createTreeWalker(h, NodeFilter.SHOW_TEXT);
    for (let node = walk.nextNode(); node; node = walk.nextNode()) {
      // A word may wrap after a dot, an underscore or a hyphen, or between
      // the words of a CamelCase name, not inside a word.
      for (const m of node.data.matchAll(/[A-Z0-9]*[a-z0-9]+|[A-Z0-9]+/g)) {
        const r = document.createRange();
        r.setStart(node, m.index);
        r.setEnd(node, m.index + m[0].length);
        const lines = new Set([...r.getClientRects()].map((x) => Math.round(x.top)));
        if (lines.size > 1) problems.push(`heading breaks the word "${m[0]}"`);
      }
    }
  }
  const article = document.querySelector(".bd-article") || document.body;
  for (const el of article.querySelectorAll("*")) {
    const cs = getComputedStyle(el);
    if (!cs.display.startsWith("inline") || !shown(el)) continue;
    const overflowing = el.scrollWidth > el.clientWidth + 1 ||
      el.scrollHeight > el.clientHeight + 1;
    if (scrolls(cs) && overflowing) {
      problems.push(`inline element with a scrollbar: ${name(el)}`);
      continue;
    }
    // Sticking out of the block it sits in, unless that block scrolls.
    let block = el.parentElement;
    while (block && getComputedStyle(block).display.startsWith("inline")) {
      block = block.parentElement;
    }
    if (!block || scrolls(getComputedStyle(block))) continue;
    let clipped = false;
    for (let a = block; a && a !== article; a = a.parentElement) {
      if (scrolls(getComputedStyle(a))) { clipped = true; break; }
    }
    if (clipped) continue;
    const right = el.getBoundingClientRect().right;
    const edge = block.getBoundingClientRect().right;
    if (right > edge + 1) {
      problems.push(`inline element sticks out ${Math.round(right - edge)} px: ${name(el)}`);
    }
  }
  if (wide) {
    const boxes = article.querySelectorAll(
      "table, mjx-container[display='true'], .pst-scrollable-table-container"
    );
    for (const el of boxes) {
      if (shown(el) && el.scrollWidth > el.clientWidth + 1) {
        problems.push(`does not fit its column (${el.scrollWidth} > ${el.clientWidth} px): ${name(el)}`);
      }
    }
  }
  return problems;
}
