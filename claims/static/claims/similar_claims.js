// The claim add page lists the stored claims that say nearly what the curator is typing, so
// a duplicate is caught before it is written. It asks GET /api/v1/claims/similar/ (the URL is
// on the text field, data-similar-url) with the curator's own session.
"use strict";

window.addEventListener("DOMContentLoaded", function () {
  const field = document.querySelector("textarea[data-similar-url]");
  if (!field) {
    return;
  }
  const box = document.createElement("div");
  box.className = "similar-claims help";
  box.setAttribute("aria-live", "polite");
  field.insertAdjacentElement("afterend", box);
  let timer = null;
  let asked = "";

  function show(results) {
    box.replaceChildren();
    if (!results.length) {
      return;
    }
    const title = document.createElement("p");
    title.textContent = "Claims already stored that say nearly the same:";
    const list = document.createElement("ul");
    for (const claim of results) {
      const item = document.createElement("li");
      const link = document.createElement("a");
      link.href = "../" + encodeURIComponent(claim.id) + "/change/";
      link.textContent = claim.text;
      item.append(link, " (" + claim.status + ", similarity " + claim.similarity.toFixed(2) + ")");
      list.append(item);
    }
    box.append(title, list);
  }

  function ask() {
    const text = field.value.trim().slice(0, 2000);
    if (text === asked) {
      return;
    }
    asked = text;
    if (text.length < 10) {
      show([]);
      return;
    }
    const url = field.dataset.similarUrl + "?" + new URLSearchParams({text: text});
    fetch(url, {credentials: "same-origin", headers: {Accept: "application/json"}})
      .then(function (response) { return response.ok ? response.json() : {results: []}; })
      .then(function (body) {
        if (asked === text) {
          show(body.results);
        }
      })
      .catch(function () { /* no suggestions is no worse than before */ });
  }

  field.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(ask, 400);
  });
  ask();
});
