// A paper search box of the evidence forms passes what the curator typed in it to the "+"
// beside it: the add-paper popup opens with that DOI or PMID filled in (claims/admin/papers.py,
// typed_identifier; anything else is ignored there). Nothing is looked up anywhere.
"use strict";

(function () {
  const typed = new Map(); // the select's id -> what was last typed in its search box

  document.addEventListener("input", function (event) {
    const field = event.target;
    if (!(field instanceof HTMLInputElement) || !field.matches(".select2-search__field")) {
      return;
    }
    // select2 names the open list after its select: select2-<select id>-results.
    const match = /^select2-(.+)-results$/.exec(field.getAttribute("aria-controls") || "");
    if (match) {
      typed.set(match[1], field.value.trim());
    }
  });

  // Capturing, so the link's address is set before Django's popup handler reads it.
  document.addEventListener("click", function (event) {
    const link = event.target instanceof Element ? event.target.closest("a.add-related") : null;
    if (!link || !link.id.startsWith("add_")) {
      return;
    }
    const url = new URL(link.href, window.location.href);
    const text = typed.get(link.id.slice("add_".length));
    if (text) {
      url.searchParams.set("identifier", text);
    } else {
      url.searchParams.delete("identifier");
    }
    link.href = url.toString();
  }, true);
})();
