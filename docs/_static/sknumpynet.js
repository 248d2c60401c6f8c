// Let long names in headings wrap where a person would break them (<wbr>):
// after a dot or an underscore, and between the words of a CamelCase name
// (MLPHalving|Random|Search|CV); never inside a word.
document.addEventListener("DOMContentLoaded", () => {
  for (const heading of document.querySelectorAll(".bd-article h1")) {
    const walker = document.createTreeWalker(heading, NodeFilter.SHOW_TEXT);
    const nodes = [];
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (/[._]\w|[a-z0-9][A-Z]/.test(node.data)) nodes.push(node);
    }
    for (const node of nodes) {
      const parts = node.data.split(/(?<=[._])(?=\w)|(?<=[a-z0-9])(?=[A-Z])/);
      const fragment = document.createDocumentFragment();
      parts.forEach((part, i) => {
        if (i > 0) fragment.appendChild(document.createElement("wbr"));
        fragment.appendChild(document.createTextNode(part));
      });
      node.replaceWith(fragment);
    }
  }
});
