// Let long dotted names in headings wrap after a dot, an underscore or a
// hyphen (<wbr>), as a person would break them, and never inside a word.
document.addEventListener("DOMContentLoaded", () => {
  for (const heading of document.querySelectorAll(".bd-article h1")) {
    const walker = document.createTreeWalker(heading, NodeFilter.SHOW_TEXT);
    const nodes = [];
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (/[._]\w/.test(node.data)) nodes.push(node);
    }
    for (const node of nodes) {
      const parts = node.data.split(/(?<=[._])(?=\w)/);
      const fragment = document.createDocumentFragment();
      parts.forEach((part, i) => {
        if (i > 0) fragment.appendChild(document.createElement("wbr"));
        fragment.appendChild(document.createTextNode(part));
      });
      node.replaceWith(fragment);
    }
  }
});
