/**
 * Reading and appending the ledger file. A ledger is accepted only whole: every line parses, is
 * in sequence, names the hash of the line before it, and every archive run's steps are closed
 * by its archive line. Anything else is refused with the line and what to do; nothing is ever
 * rewritten, only appended.
 */
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, writeSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { ledgerLineSchema, lineHash, type ArchiveLine, type LedgerLine, type StepLine } from "./ledger-format";

/** The ledger next to an offboarding file: offboarding.yaml → offboarding.ledger.jsonl. */
export function ledgerPathFor(offboardingFile: string): string {
  const name = basename(offboardingFile).replace(/\.ya?ml$/i, "");
  return join(dirname(offboardingFile), `${name}.ledger.jsonl`);
}

export class LedgerError extends Error {
  constructor(
    readonly fileName: string,
    readonly line: number,
    problem: string,
  ) {
    super(`${fileName}:${line}: ${problem}`);
    this.name = "LedgerError";
  }
}

/** What to do about a ledger that is not whole. */
function restore(label: string): string {
  return `The ledger only grows: restore it from git (\`git log -p -- ${label}\`, then \`git checkout <commit> -- ${label}\`) rather than editing it; nothing was changed.`;
}

export interface Ledger {
  fileName: string;
  /** The file's bytes as read: an append checks that nobody changed them meanwhile. */
  text: string;
  lines: LedgerLine[];
  steps: Array<StepLine & { lineNumber: number }>;
  archives: Array<ArchiveLine & { lineNumber: number }>;
}

export function emptyLedger(fileName: string): Ledger {
  return { fileName, text: "", lines: [], steps: [], archives: [] };
}

/** Reads and checks a ledger; a file that does not exist is an empty ledger. */
export function readLedger(path: string, label = path): Ledger {
  if (!existsSync(path)) return emptyLedger(label);
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(readFileSync(path));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new LedgerError(label, 1, code ? `cannot be read (${code})` : `is not UTF-8 text. ${restore(label)}`);
  }
  return parseLedger(text, label);
}

export function parseLedger(text: string, label: string): Ledger {
  const ledger: Ledger = { ...emptyLedger(label), text };
  if (text === "") return ledger;
  if (!text.endsWith("\n")) {
    const n = text.split("\n").length;
    throw new LedgerError(label, n, `the last line has no newline: the file was cut short or edited. ${restore(label)}`);
  }
  const raw = text.slice(0, -1).split("\n");
  let prev: string | null = null;
  let open: { archive: string; count: number; first: number } | undefined;
  for (const [i, lineText] of raw.entries()) {
    const n = i + 1;
    let json: unknown;
    try {
      json = JSON.parse(lineText);
    } catch {
      throw new LedgerError(label, n, `not a JSON line. ${restore(label)}`);
    }
    const version = (json as { v?: unknown } | null)?.v;
    if (typeof version === "number" && version > 1) {
      throw new LedgerError(label, n, `written by a newer pulumi-docspace (ledger version ${version}); this one reads version 1. Update pulumi-docspace.`);
    }
    const parsed = ledgerLineSchema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new LedgerError(label, n, `not a ledger line (${issue.path.join(".") || "line"}: ${issue.message}). ${restore(label)}`);
    }
    const line = parsed.data;
    if (line.seq !== n) throw new LedgerError(label, n, `says it is line ${line.seq}: lines were added, removed or reordered. ${restore(label)}`);
    if (line.prev !== prev) throw new LedgerError(label, n, `does not follow the line before it (its hash differs): an earlier line was changed. ${restore(label)}`);
    prev = lineHash(lineText);
    if (line.kind === "step") {
      if (open && open.archive !== line.archive) throw new LedgerError(label, n, `starts another archive run before the run of line ${open.first} was closed. ${restore(label)}`);
      open = open ?? { archive: line.archive, count: 0, first: n };
      open.count++;
      ledger.steps.push({ ...line, lineNumber: n });
    } else {
      if (!open || open.archive !== line.archive || open.count !== line.steps) {
        throw new LedgerError(label, n, `closes an archive run of ${line.steps} steps, but the lines before it do not match. ${restore(label)}`);
      }
      open = undefined;
      ledger.archives.push({ ...line, lineNumber: n });
    }
    ledger.lines.push(line);
  }
  if (open) throw new LedgerError(label, open.first, `an archive run starts here and was never closed: an archive was interrupted. ${restore(label)}`);
  return ledger;
}

/** The hash the next line must name, and its number. */
export function tail(ledger: Ledger): { prev: string | null; nextSeq: number } {
  const last = ledger.text === "" ? undefined : ledger.text.slice(0, -1).split("\n").pop();
  return { prev: last === undefined ? null : lineHash(last), nextSeq: ledger.lines.length + 1 };
}

/**
 * Appends lines (already serialized, each without its newline) to the ledger read as `ledger`,
 * in one write. Refuses when the file changed since it was read: the new lines name its old end.
 */
export function appendToLedger(path: string, ledger: Ledger, lines: readonly string[]): void {
  const now = existsSync(path) ? readFileSync(path, "utf8") : "";
  if (now !== ledger.text) {
    throw new LedgerError(ledger.fileName, Math.max(1, ledger.lines.length), "changed while archive was running (another archive, or an edit); nothing was appended. Run archive again.");
  }
  const fd = openSync(path, "a");
  try {
    writeSync(fd, lines.map((l) => `${l}\n`).join(""));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
