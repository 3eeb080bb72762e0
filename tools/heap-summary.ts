/**
 * Reads V8 heap snapshots (tools/heap-probe.ts writes them) and prints what they hold, grouped by
 * kind and constructor (or function name, or a string's first characters), per resource: the
 * self size and count of each group, largest first, and for two snapshots side by side (ours and a
 * bare program) the difference. Also the retained size of the objects each group names, from the
 * dominator tree, for the groups that matter (Resource subclasses, Output, Promise...).
 *
 *   node dist/tools/heap-summary.js ours.heapsnapshot N [bare.heapsnapshot M] [--top 40]
 *
 * Not part of the package or the tests: a measuring aid for the benchmark.
 */
import { readFileSync } from "node:fs";

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]]; edge_fields: string[]; edge_types: [string[], ...unknown[]] }; node_count: number };
  nodes: number[];
  edges: number[];
  strings: string[];
}

interface Group {
  count: number;
  self: number;
}

export interface Summary {
  total: number;
  groups: Map<string, Group>;
  retainedBy: Map<string, number>;
}

/** Groups every node; computes dominators to give retained sizes per group (for groups in `retainGroups`, or the largest). */
export function summarize(path: string): Summary {
  const snap = JSON.parse(readFileSync(path, "utf8")) as Snapshot;
  const nf = snap.snapshot.meta.node_fields;
  const ef = snap.snapshot.meta.edge_fields;
  const NF = nf.length;
  const EF = ef.length;
  const types = snap.snapshot.meta.node_types[0];
  const edgeTypes = snap.snapshot.meta.edge_types[0];
  const iType = nf.indexOf("type");
  const iName = nf.indexOf("name");
  const iSize = nf.indexOf("self_size");
  const iEdges = nf.indexOf("edge_count");
  const eType = ef.indexOf("type");
  const eTo = ef.indexOf("to_node");
  const eName = ef.indexOf("name_or_index");
  const nodes = snap.nodes;
  const edges = snap.edges;
  const n = nodes.length / NF;

  const groupOf = new Array<string>(n);
  const groups = new Map<string, Group>();
  let total = 0;
  for (let i = 0; i < n; i++) {
    const t = types[nodes[i * NF + iType]!]!;
    let name = snap.strings[nodes[i * NF + iName]!]!;
    if (t === "string" || t === "concatenated string" || t === "sliced string") name = `"${name.slice(0, 40).replace(/\s+/g, " ")}"`;
    else if (t === "hidden" || t === "array" || t === "code" || t === "number") name = name.slice(0, 60);
    const key = `${t}:${name}`;
    groupOf[i] = key;
    const size = nodes[i * NF + iSize]!;
    total += size;
    const g = groups.get(key);
    if (g) {
      g.count++;
      g.self += size;
    } else groups.set(key, { count: 1, self: size });
  }

  // Edges: first edge index of each node, and reverse edges for dominators (weak edges skipped).
  const firstEdge = new Uint32Array(n + 1);
  for (let i = 0, e = 0; i < n; i++) {
    firstEdge[i] = e;
    e += nodes[i * NF + iEdges]! * EF;
    firstEdge[i + 1] = e;
  }
  const weak = edgeTypes.indexOf("weak");
  const shortcut = edgeTypes.indexOf("shortcut");
  // Dominators (Cooper, Harvey, Kennedy) over a DFS post-order from the root (node 0).
  const post = new Int32Array(n).fill(-1);
  const order: number[] = [];
  const stack: Array<[number, number]> = [[0, firstEdge[0]!]];
  const visited = new Uint8Array(n);
  visited[0] = 1;
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    const [v, e] = top;
    if (e < firstEdge[v + 1]!) {
      top[1] = e + EF;
      const et = edges[e + eType]!;
      if (et === weak || et === shortcut) continue;
      const w = edges[e + eTo]! / NF;
      if (!visited[w]) {
        visited[w] = 1;
        stack.push([w, firstEdge[w]!]);
      }
    } else {
      stack.pop();
      post[v] = order.length;
      order.push(v);
    }
  }
  const preds: number[][] = Array.from({ length: n }, () => []);
  for (let v = 0; v < n; v++) {
    if (!visited[v]) continue;
    for (let e = firstEdge[v]!; e < firstEdge[v + 1]!; e += EF) {
      const et = edges[e + eType]!;
      if (et === weak || et === shortcut) continue;
      const w = edges[e + eTo]! / NF;
      if (visited[w]) preds[w]!.push(v);
    }
  }
  const idom = new Int32Array(n).fill(-1);
  idom[0] = 0;
  const intersect = (a: number, b: number): number => {
    while (a !== b) {
      while (post[a]! < post[b]!) a = idom[a]!;
      while (post[b]! < post[a]!) b = idom[b]!;
    }
    return a;
  };
  for (let changed = true; changed; ) {
    changed = false;
    for (let k = order.length - 2; k >= 0; k--) {
      const v = order[k]!;
      let d = -1;
      for (const p of preds[v]!) {
        if (idom[p] === -1) continue;
        d = d === -1 ? p : intersect(p, d);
      }
      if (d !== -1 && idom[v] !== d) {
        idom[v] = d;
        changed = true;
      }
    }
  }
  const retained = new Float64Array(n);
  for (let i = 0; i < n; i++) retained[i] = nodes[i * NF + iSize]!;
  for (const v of order) if (v !== 0 && idom[v]! >= 0 && idom[v] !== v) retained[idom[v]!] += retained[v]!;
  // Retained by a group: the sum over its nodes not dominated by another node of the same group.
  const retainedBy = new Map<string, number>();
  for (let v = 0; v < n; v++) {
    if (!visited[v] || v === 0) continue;
    const key = groupOf[v]!;
    let d = idom[v]!;
    let nested = false;
    for (let hops = 0; d > 0 && hops < 64; hops++, d = idom[d]!) {
      if (groupOf[d] === key) {
        nested = true;
        break;
      }
    }
    if (!nested) retainedBy.set(key, (retainedBy.get(key) ?? 0) + retained[v]!);
  }
  void eName;
  return { total, groups, retainedBy };
}

function main(): void {
  const args = process.argv.slice(2);
  const topAt = args.indexOf("--top");
  const top = topAt >= 0 ? Number(args[topAt + 1]) : 40;
  const [oursPath, oursN, barePath, bareN] = args.filter((_, i) => topAt < 0 || (i !== topAt && i !== topAt + 1));
  const ours = summarize(oursPath!);
  const n = Number(oursN);
  const bare = barePath ? summarize(barePath) : undefined;
  const m = Number(bareN ?? oursN);
  const kb = (b: number, per: number): string => (b / 1024 / per).toFixed(2).padStart(9);
  console.log(`total self size: ours ${(ours.total / 1048576).toFixed(1)} MB (${kb(ours.total, n)} KB per resource)${bare ? `; bare ${(bare.total / 1048576).toFixed(1)} MB (${kb(bare.total, m)} KB per resource)` : ""}`);
  const keys = new Set([...ours.groups.keys(), ...(bare?.groups.keys() ?? [])]);
  const rows = [...keys].map((k) => {
    const o = ours.groups.get(k) ?? { count: 0, self: 0 };
    const b = bare?.groups.get(k) ?? { count: 0, self: 0 };
    return { k, o, b, diff: o.self / n - (bare ? b.self / m : 0) };
  });
  rows.sort((a, b) => b.diff - a.diff);
  console.log("\nself size per resource (KB), ours minus bare, largest first: group | ours count/res | ours KB/res | bare count/res | bare KB/res");
  for (const r of rows.slice(0, top))
    console.log(`${kb(r.diff * 1024, 1)} | ${r.k.slice(0, 70).padEnd(70)} | ${(r.o.count / n).toFixed(1).padStart(7)} | ${kb(r.o.self, n)} | ${(r.b.count / m).toFixed(1).padStart(7)} | ${kb(r.b.self, m)}`);
  const ret = [...ours.retainedBy].map(([k, v]) => ({ k, v, b: bare?.retainedBy.get(k) ?? 0 })).sort((a, b) => b.v - a.v);
  console.log("\nretained size per resource (KB) of the largest groups (not nested in the same group): ours | bare");
  for (const r of ret.slice(0, top)) console.log(`${kb(r.v, n)} | ${kb(r.b, m)} | ${r.k.slice(0, 90)}`);
}

if (require.main === module) main();
