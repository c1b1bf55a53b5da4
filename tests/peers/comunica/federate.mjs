// Comunica (@comunica/query-sparql, default settings) federating a dsi4bcn node's SPARQL endpoint with a
// second source, several times over, each time with a new engine (no cache shared between runs).
// Usage: node federate.mjs RUNS QUERY SOURCE...  (a source "sparql@URL" is a SPARQL endpoint; others are
// files, e.g. the node's /graph dump). Prints one JSON line: {"ok": n, "failures": [...], "rows": [...]}.
import { QueryEngine } from "@comunica/query-sparql";

const [runs, query, ...given] = process.argv.slice(2);
const sources = given.map((source) =>
  source.startsWith("sparql@") ? { type: "sparql", value: source.slice("sparql@".length) } : source,
);
const outcome = { ok: 0, failures: [], rows: [] };
for (let run = 0; run < Number(runs); run += 1) {
  try {
    const stream = await new QueryEngine().queryBindings(query, { sources });
    const bindings = await stream.toArray();
    outcome.ok += 1;
    outcome.rows.push(bindings.length);
  } catch (error) {
    outcome.failures.push(String(error && error.message ? error.message : error).slice(0, 300));
  }
}
console.log(JSON.stringify(outcome));
