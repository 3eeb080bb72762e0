/**
 * Reading an offboarding file: YAML with positions, validated against the zod schema, with every
 * problem reported by file, line and column. Hostile input (alias bombs, huge files, bad bytes)
 * is refused with the same kind of error.
 */
import { crossEntryProblems, type EntryAccounts } from "./cross-entry";
import { readFileSync } from "node:fs";
import { isNode, LineCounter, parseDocument, type Document } from "yaml";
import { MAX_FILE_BYTES, offboardingFileSchema, type RemovalEntry } from "./schema";
import type { Action } from "../entry-rules";

export interface FileIssue {
  line: number;
  column: number;
  message: string;
}

export class OffboardingFileError extends Error {
  constructor(
    readonly fileName: string,
    readonly issues: FileIssue[],
  ) {
    super(
      `${fileName} has ${issues.length === 1 ? "a problem" : `${issues.length} problems`}; nothing was done:\n` +
        issues.map((i) => `  ${fileName}:${i.line}:${i.column}: ${i.message}`).join("\n"),
    );
    this.name = "OffboardingFileError";
  }
}

/** One account to offboard, with the file's defaults applied. */
export interface Removal {
  email?: string;
  id?: string;
  action: Action;
  /** YYYY-MM-DD (UTC): disabled before it, removed on or after it. */
  removeAfter?: string;
  transferTo?: string;
  allowAdmin: boolean;
  alreadyRemoved: boolean;
  reason?: string;
  timeoutSeconds?: number;
  /** Where the entry is, for messages. */
  line: number;
}

export interface OffboardingFile {
  fileName: string;
  version: 1;
  removals: Removal[];
}

const MAX_ALIASES = 100;

export function loadOffboardingFile(path: string): OffboardingFile {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new OffboardingFileError(path, [
      { line: 1, column: 1, message: code === "ENOENT" ? "the file does not exist; create it, or set docspace:offboardingFile to its path" : `cannot be read (${code ?? String(e)})` },
    ]);
  }
  return parseOffboardingBytes(bytes, path);
}

export function parseOffboardingBytes(bytes: Uint8Array, fileName: string): OffboardingFile {
  if (bytes.length > MAX_FILE_BYTES) {
    throw new OffboardingFileError(fileName, [{ line: 1, column: 1, message: `the file is ${bytes.length} bytes; the limit is ${MAX_FILE_BYTES}. Split it, or remove entries that are done.` }]);
  }
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    const at = firstInvalidUtf8(bytes);
    const before = Buffer.from(bytes.subarray(0, at)).toString("utf8");
    const lines = before.split("\n");
    throw new OffboardingFileError(fileName, [{ line: lines.length, column: lines[lines.length - 1]!.length + 1, message: "the file is not valid UTF-8 text; save it as UTF-8" }]);
  }
  return parseOffboardingFile(text, fileName);
}

export function parseOffboardingFile(text: string, fileName = "offboarding.yaml"): OffboardingFile {
  if (Buffer.byteLength(text, "utf8") > MAX_FILE_BYTES) {
    throw new OffboardingFileError(fileName, [{ line: 1, column: 1, message: `the file is larger than ${MAX_FILE_BYTES} bytes. Split it, or remove entries that are done.` }]);
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true, strict: true, version: "1.2" });
  const pos = (offset: number): { line: number; column: number } => {
    const p = lineCounter.linePos(offset);
    return { line: p.line, column: p.col };
  };

  if (doc.errors.length > 0) {
    throw new OffboardingFileError(
      fileName,
      doc.errors.map((e) => ({ ...pos(e.pos[0]), message: `not valid YAML: ${firstLine(e.message)}` })),
    );
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIASES });
  } catch (e) {
    throw new OffboardingFileError(fileName, [{ line: 1, column: 1, message: `refused: ${firstLine((e as Error).message)} (aliases may expand at most ${MAX_ALIASES} times)` }]);
  }
  if (data === null || data === undefined) {
    throw new OffboardingFileError(fileName, [{ line: 1, column: 1, message: "the file is empty; it needs `version: 1` and a `removals:` list" }]);
  }

  const parsed = offboardingFileSchema.safeParse(data, { reportInput: true });
  const issues: FileIssue[] = [];
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const path = issue.path.filter((p): p is string | number => typeof p !== "symbol");
      issues.push({ ...locate(doc, path, pos, issue.code === "unrecognized_keys" ? issue.keys : undefined), message: describeIssue(path, issue) });
    }
  }
  issues.push(...crossEntryIssues(data, doc, pos));
  if (issues.length > 0) {
    issues.sort((a, b) => a.line - b.line || a.column - b.column);
    throw new OffboardingFileError(fileName, issues);
  }
  const file = parsed.data!;
  const defaults = file.defaults ?? {};
  return {
    fileName,
    version: 1,
    removals: file.removals.map((e: RemovalEntry, i) => ({
      email: e.email,
      id: e.id,
      action: e.action ?? "remove",
      removeAfter: e.removeAfter,
      // A disable entry moves nothing: the defaults' successor is not for it.
      transferTo: e.action === "disable" ? undefined : (e.transferTo ?? defaults.transferTo),
      allowAdmin: e.allowAdmin ?? false,
      alreadyRemoved: e.alreadyRemoved ?? false,
      reason: e.reason ?? defaults.reason,
      timeoutSeconds: e.timeoutSeconds ?? defaults.timeoutSeconds,
      line: locate(doc, ["removals", i], pos).line,
    })),
  };
}

/**
 * Rules across entries (cross-entry.ts), checked on the raw data by the entries' own words so they
 * are reported together with schema problems.
 */
function crossEntryIssues(data: unknown, doc: Document, pos: (o: number) => { line: number; column: number }): FileIssue[] {
  const root = data as { removals?: unknown; defaults?: { transferTo?: unknown } };
  if (!Array.isArray(root.removals)) return [];
  const norm = (v: unknown): string | undefined => (typeof v === "string" && v.trim() !== "" ? v.trim().toLowerCase() : undefined);
  const defaultSuccessor = norm(root.defaults?.transferTo);
  const entries: EntryAccounts[] = [];
  const indexOf: number[] = [];
  const ownSuccessor: boolean[] = [];
  root.removals.forEach((raw: unknown, i) => {
    if (typeof raw !== "object" || raw === null) return;
    const entry = raw as { email?: unknown; id?: unknown; transferTo?: unknown; action?: unknown };
    const account = norm(entry.email) ?? norm(entry.id);
    if (account === undefined) return;
    const own = norm(entry.transferTo);
    // A disable entry moves nothing: the defaults' successor is not for it.
    const successor = own ?? (entry.action === "disable" ? undefined : defaultSuccessor);
    entries.push({ label: account, account, successor });
    indexOf.push(i);
    ownSuccessor.push(own !== undefined);
  });
  return crossEntryProblems(entries).map((p) => {
    const i = indexOf[p.index]!;
    const path = p.field === "account" ? ["removals", i] : ownSuccessor[p.index] ? ["removals", i, "transferTo"] : ["defaults", "transferTo"];
    const also = p.rule === "listed-twice" ? ` (first at line ${locate(doc, ["removals", indexOf[p.other]!], pos).line})` : "";
    return { ...locate(doc, path, pos), message: `removals[${i}]: ${p.message}${also}` };
  });
}

/** The position of the YAML node at `path` (or of its nearest existing parent). */
function locate(doc: Document, path: Array<string | number>, pos: (o: number) => { line: number; column: number }, unknownKeys?: string[]): { line: number; column: number } {
  if (unknownKeys && unknownKeys.length > 0) {
    const parent = doc.getIn(path, true);
    if (isNode(parent) && "items" in parent) {
      for (const item of (parent as { items: Array<{ key?: unknown }> }).items) {
        const k = item.key;
        if (isNode(k) && unknownKeys.includes(String((k as { value?: unknown }).value)) && k.range) return pos(k.range[0]);
      }
    }
  }
  for (let n = path.length; n >= 0; n--) {
    const node = n === 0 ? doc.contents : doc.getIn(path.slice(0, n), true);
    if (isNode(node) && node.range) return pos(node.range[0]);
  }
  return { line: 1, column: 1 };
}

function describeIssue(path: Array<string | number>, issue: { code: string; message: string; keys?: string[]; expected?: unknown; input?: unknown }): string {
  const where = path.length === 0 ? "" : path.map((p, i) => (typeof p === "number" ? `[${p}]` : i === 0 ? p : `.${p}`)).join("") + ": ";
  if (issue.code === "unrecognized_keys" && issue.keys) {
    return `${where}unknown key${issue.keys.length > 1 ? "s" : ""} ${issue.keys.map((k) => `"${k}"`).join(", ")} (allowed: ${allowedKeys(path)})`;
  }
  if ((issue.code === "invalid_type" || issue.code === "invalid_value") && issue.input === undefined && path.length > 0) return `${where}is required`;
  if (issue.code === "invalid_type" && issue.expected !== "int") {
    return `${where}must be ${String(issue.expected)}, not ${describeValue(issue.input)}`;
  }
  return `${where}${issue.message}`;
}

function allowedKeys(path: Array<string | number>): string {
  if (path.length === 0) return "version, defaults, removals";
  if (path[0] === "defaults") return "transferTo, reason, timeoutSeconds";
  return "email, id, action, transferTo, keepProfile, removeAfter, allowAdmin, alreadyRemoved, reason, timeoutSeconds";
}

function describeValue(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "a list";
  if (typeof v === "object") return "a mapping";
  return `${typeof v} ${JSON.stringify(v)?.slice(0, 40)}`;
}

function firstLine(s: string): string {
  return s.split("\n")[0]!.trim();
}

function firstInvalidUtf8(b: Uint8Array): number {
  let i = 0;
  while (i < b.length) {
    const c = b[i]!;
    const n = c < 0x80 ? 0 : (c & 0xe0) === 0xc0 && c >= 0xc2 ? 1 : (c & 0xf0) === 0xe0 ? 2 : (c & 0xf8) === 0xf0 && c <= 0xf4 ? 3 : -1;
    if (n < 0) return i;
    for (let k = 1; k <= n; k++) if (i + k >= b.length || (b[i + k]! & 0xc0) !== 0x80) return i;
    i += n + 1;
  }
  return b.length;
}
