/**
 * The import graph of provider/, read from the sources (type imports included): no cycles, and
 * the DocSpace client (provider/docspace/) stands on its own, below the resources and the program.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = join(__dirname, "..", "provider");

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? sources(p) : p.endsWith(".ts") ? [p] : [];
  });
}

/** file (relative to provider/) → the files it imports, relative imports only. */
export function importGraph(files: string[]): Map<string, string[]> {
  const known = new Set(files);
  const graph = new Map<string, string[]>();
  for (const f of files) {
    const text = readFileSync(f, "utf8");
    const targets = [...text.matchAll(/^\s*(?:import|export)\b[^;]*?\bfrom\s+"(\.{1,2}\/[^"]+)"/gms)]
      .map((m) => resolve(dirname(f), m[1]!))
      .map((p) => (known.has(`${p}.ts`) ? `${p}.ts` : join(p, "index.ts")))
      .filter((p) => known.has(p));
    graph.set(relative(ROOT, f), targets.map((t) => relative(ROOT, t)));
  }
  return graph;
}

export function cyclesOf(graph: Map<string, string[]>): string[] {
  const state = new Map<string, "open" | "done">();
  const found: string[] = [];
  const visit = (n: string, path: string[]): void => {
    state.set(n, "open");
    path.push(n);
    for (const d of graph.get(n) ?? []) {
      if (state.get(d) === "open") found.push([...path.slice(path.indexOf(d)), d].join(" -> "));
      else if (state.get(d) === undefined) visit(d, path);
    }
    path.pop();
    state.set(n, "done");
  };
  for (const n of graph.keys()) if (state.get(n) === undefined) visit(n, []);
  return found;
}

const graph = importGraph(sources(ROOT));

describe("layering of provider/", () => {
  it("reads the imports it checks (the graph is not empty)", () => {
    expect(graph.get("resources/user-removal/methods.ts")).toContain("resources/gate/assess.ts");
  });

  it("has no import cycles", () => {
    expect(cyclesOf(graph)).toEqual([]);
  });

  it("finds a cycle when there is one (the check can fail)", () => {
    expect(cyclesOf(new Map([["a.ts", ["b.ts"]], ["b.ts", ["a.ts"]]]))).toEqual(["a.ts -> b.ts -> a.ts"]);
  });

  it("docspace/ (the client) imports nothing outside docspace/: not the resources, not the program", () => {
    const outward = [...graph].flatMap(([from, to]) => (from.startsWith("docspace/") ? to.filter((t) => !t.startsWith("docspace/")).map((t) => `${from} -> ${t}`) : []));
    expect(outward).toEqual([]);
  });

  it("the resources never import the program, the command line, the suggestions or the history", () => {
    const upward = [...graph].flatMap(([from, to]) =>
      from.startsWith("resources/") ? to.filter((t) => /^(program|cli|suggestions|history)\//.test(t)).map((t) => `${from} -> ${t}`) : [],
    );
    expect(upward).toEqual([]);
  });

  it("a resource kind's folder imports no other kind's folder: what they share is in step/, host/ and gate/", () => {
    const kinds = ["user-removal", "account-suspension", "self-delete"];
    const kindOf = (f: string): string | undefined => kinds.find((k) => f.startsWith(`resources/${k}/`));
    const across = [...graph].flatMap(([from, to]) => {
      const mine = kindOf(from);
      return mine === undefined ? [] : to.filter((t) => kindOf(t) !== undefined && kindOf(t) !== mine).map((t) => `${from} -> ${t}`);
    });
    expect(across).toEqual([]);
  });
});
