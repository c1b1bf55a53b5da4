// Progressive enhancement of the SPARQL page: run the query here and show the results as a table.
// Without JavaScript the form still works (the browser gets the results file). Results are put in
// the page with textContent only, so a value from the graph can never become markup.
"use strict";

(function () {
  const form = document.getElementById("sparql-form");
  const output = document.getElementById("sparql-output");
  if (!form || !output || !window.fetch) {
    return;
  }

  function cell(tag, text) {
    const element = document.createElement(tag);
    element.textContent = text;
    return element;
  }

  function term(binding) {
    if (!binding) {
      return "";
    }
    if (binding.type === "uri") {
      return binding.value;
    }
    if (binding.type === "bnode") {
      return "_:" + binding.value;
    }
    if (binding["xml:lang"]) {
      return binding.value + " @" + binding["xml:lang"];
    }
    return binding.value;
  }

  function link(binding) {
    const text = term(binding);
    if (binding && binding.type === "uri" && /^https?:\/\//.test(binding.value)) {
      const anchor = cell("a", text);
      anchor.href = binding.value;
      anchor.rel = "nofollow noopener";
      return anchor;
    }
    return document.createTextNode(text);
  }

  function showTable(results) {
    const table = document.createElement("table");
    table.className = "sparql-results";
    table.tabIndex = 0; // it scrolls sideways inside its own box: keyboard users can scroll it too
    const head = table.createTHead().insertRow();
    for (const name of results.head.vars) {
      head.appendChild(cell("th", name));
    }
    const body = table.createTBody();
    for (const row of results.results.bindings) {
      const line = body.insertRow();
      for (const name of results.head.vars) {
        line.insertCell().appendChild(link(row[name]));
      }
    }
    return table;
  }

  function show(nodes) {
    output.replaceChildren(...nodes);
    output.setAttribute("aria-busy", "false");
  }

  form.addEventListener("submit", async function (event) {
    event.preventDefault();
    const query = form.elements.query.value;
    output.setAttribute("aria-busy", "true");
    output.replaceChildren(cell("p", form.dataset.running));
    const download = cell("a", form.dataset.download);
    download.href = "/sparql?" + new URLSearchParams({ query: query, format: form.elements.format.value });
    try {
      const answer = await fetch("/sparql", {
        method: "POST",
        headers: {
          "Content-Type": "application/x-www-form-urlencoded",
          Accept: "application/sparql-results+json, text/turtle;q=0.9",
        },
        body: new URLSearchParams({ query: query }),
      });
      const type = answer.headers.get("Content-Type") || "";
      if (!answer.ok) {
        const reason = type.includes("json") ? (await answer.json()).error : await answer.text();
        const message = cell("p", answer.status + ": " + reason);
        message.className = "sparql-error";
        show([message]);
        return;
      }
      if (type.startsWith("application/sparql-results+json")) {
        const results = await answer.json();
        if ("boolean" in results) {
          show([cell("p", String(results.boolean)), download]);
          return;
        }
        const count = form.dataset.rows.replace("{count}", String(results.results.bindings.length));
        show([cell("p", count), showTable(results), download]);
        return;
      }
      show([cell("pre", await answer.text()), download]);
    } catch (error) {
      const message = cell("p", String(error));
      message.className = "sparql-error";
      show([message]);
    }
  });
})();
