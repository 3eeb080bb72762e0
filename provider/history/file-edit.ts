/**
 * Takes entries out of the offboarding file and leaves every other byte as it was: the lines of a
 * taken entry (with the comment lines right above it, at its indentation) are cut; comments,
 * blank lines, order, quoting and spacing elsewhere stay. The yaml package's Document (with its
 * positions) finds the entries; the result is parsed again and must hold exactly the same data
 * minus those entries, or nothing is written.
 */
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document } from "yaml";
import { parseOffboardingFile } from "../offboarding/parse";
import { logicalName } from "../program/names";

export class FileEditError extends Error {}

/** The entry's name (its resource's name) from its YAML node's own words, as the parser normalizes them. */
function nameOfNode(doc: Document, i: number): string | undefined {
  const item = doc.getIn(["removals", i], true);
  if (!isMap(item)) return undefined;
  const email = item.get("email");
  const id = item.get("id");
  if (typeof email === "string") return logicalName({ email: email.trim().toLowerCase() });
  if (typeof id === "string") return logicalName({ id: id.trim().toLowerCase() });
  return undefined;
}

export interface FileEdit {
  /** The new text of the file. */
  text: string;
  /** The entries taken out, with the line each started at (1-based, in the old text). */
  removed: Array<{ entry: string; line: number }>;
}

/**
 * The file without the entries named in `names`. Names not in the file are ignored. Throws
 * FileEditError when the file cannot be edited safely (then it is left as it is).
 */
export function withoutEntries(text: string, names: ReadonlySet<string>, fileName: string): FileEdit {
  const before = parseOffboardingFile(text, fileName); // refuses a bad file with file:line:column
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, strict: true, version: "1.2" });
  const seq = doc.get("removals", true);
  if (!isSeq(seq) || seq.items.length === 0) return { text, removed: [] };
  if (seq.flow) throw new FileEditError(`${fileName}: the removals list is written inline ([ ... ]); archive edits a block list (one "- " item per entry). Rewrite it as a block list, or take the archived entries out by hand.`);

  const lines = text.split("\n");
  const lineOf = (offset: number): number => lineCounter.linePos(offset).line - 1; // 0-based
  const isComment = (l: string | undefined): boolean => l !== undefined && /^\s*#/.test(l);
  const indentOf = (l: string): number => l.length - l.trimStart().length;
  const keyNode = isMap(doc.contents) ? doc.contents.items.find((p) => isScalar(p.key) && p.key.value === "removals")?.key : undefined;
  const keyLine = isScalar(keyNode) && keyNode.range ? lineOf(keyNode.range[0]) : -1;
  const cut = new Set<number>();
  const removed: FileEdit["removed"] = [];
  seq.items.forEach((item, i) => {
    const name = nameOfNode(doc, i);
    if (name === undefined || !names.has(name)) return;
    const range = (isMap(item) || isScalar(item) ? item.range : undefined) ?? undefined;
    if (!range) throw new FileEditError(`${fileName}: cannot find where removals[${i}] is written; take it out by hand.`);
    // The item's "- " is on the line where its content starts, or alone on a line above it.
    let dash = range[0] - 1;
    while (dash >= 0 && /\s/.test(text[dash]!)) dash--;
    if (text[dash] !== "-") throw new FileEditError(`${fileName}: removals[${i}] is not written as "- ..."; take it out by hand.`);
    const first = lineOf(dash);
    // Where the item ends: the last character of its node (block nodes end after their newline).
    const last = lineOf(Math.max(range[0], range[2] - 1));
    const dashIndent = indentOf(lines[first]!);
    let from = first;
    while (from > 0 && isComment(lines[from - 1]) && indentOf(lines[from - 1]!) === dashIndent) from--;
    for (let l = from; l <= last; l++) cut.add(l);
    // Keep one blank line between the neighbours, not two.
    const blankAfter = lines[last + 1] === undefined || lines[last + 1]!.trim() === "";
    if (from > 0 && lines[from - 1]!.trim() === "" && blankAfter) cut.add(from - 1);
    else if (from - 1 === keyLine && blankAfter && lines[last + 1] !== undefined && last + 2 < lines.length) cut.add(last + 1);
    removed.push({ entry: name, line: first + 1 });
  });
  if (removed.length === 0) return { text, removed };

  let out = lines.filter((_, i) => !cut.has(i)).join("\n");
  if (removed.length === seq.items.length) out = emptyRemovals(out, fileName);

  // The result must be the same file minus those entries: same data, same order, nothing else.
  const after = parseOffboardingFile(out, fileName);
  const expected = before.removals.map(logicalName).filter((n) => !names.has(n));
  const got = after.removals.map(logicalName);
  const sameJs = JSON.stringify(withoutRemovals(doc.toJS(), names)) === JSON.stringify(parseDocument(out, { version: "1.2" }).toJS());
  if (JSON.stringify(expected) !== JSON.stringify(got) || !sameJs) {
    throw new FileEditError(`${fileName}: taking the archived entries out would change more than those entries (the file's layout is unusual); nothing was written. Take them out by hand: ${removed.map((r) => r.entry).join(", ")}.`);
  }
  return { text: out, removed };
}

/** `removals:` with every item gone becomes `removals: []` (an empty list, still a valid file). */
function emptyRemovals(text: string, fileName: string): string {
  const m = /^(\s*removals\s*:)([ \t]*)(#.*)?$/m.exec(text);
  if (!m) throw new FileEditError(`${fileName}: cannot write the empty removals list; take the entries out by hand.`);
  const comment = m[3] ? ` ${m[3]}` : "";
  return text.slice(0, m.index) + `${m[1]} []${comment}` + text.slice(m.index + m[0].length);
}

function withoutRemovals(js: unknown, names: ReadonlySet<string>): unknown {
  if (typeof js !== "object" || js === null || !("removals" in js)) return js;
  const root = js as { removals: unknown };
  if (!Array.isArray(root.removals)) return js;
  const kept = root.removals.filter((e: unknown) => {
    const entry = e as { email?: unknown; id?: unknown };
    const name = typeof entry.email === "string" ? entry.email.trim().toLowerCase() : typeof entry.id === "string" ? entry.id.trim().toLowerCase() : undefined;
    return name === undefined || !names.has(name);
  });
  return { ...root, removals: kept };
}
