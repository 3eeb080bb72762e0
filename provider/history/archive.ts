/**
 * `pulumi-docspace archive`, without its command line: moves finished, proved entries from the
 * stack's records into the ledger and takes them out of the offboarding file. It reads the stack
 * export it is given, the ledger and the file; it never talks to the portal. The ledger is
 * appended first (one write), the file written after (a new file renamed over the old one), so an
 * interruption leaves either nothing done, or the ledger done and the file still listing entries
 * that the next archive takes out (its steps are in the ledger already: nothing is written twice).
 */
import { randomUUID } from "node:crypto";
import { readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { basename, dirname, join, relative, resolve } from "node:path";
import { parseOffboardingFile, type Removal } from "../offboarding/parse";
import { logicalName } from "../program/names";
import { byEntry, judgeEntry, type Verdict } from "./eligibility";
import { withoutEntries, type FileEdit } from "./file-edit";
import { appendToLedger, parseLedger, readLedger, tail, type Ledger } from "./ledger-file";
import { LEDGER_FORMAT, LEDGER_VERSION, lineHash, stepKey, type ArchiveLine, type StepLine } from "./ledger-format";
import { erasureOf, indexErasures, type Erasure } from "./ledger-index";
import { configuredOffboardingFile, recordsOf, type StackExport } from "./stack-export";
import { boundText } from "../docspace/errors";
import type { Step } from "./steps";

export interface ArchiveInput {
  /** The offboarding file, and how to name it in messages. */
  file: string;
  fileLabel: string;
  ledger: string;
  ledgerLabel: string;
  exported: StackExport;
  /** The Pulumi project's folder (where `pulumi stack export` ran): a relative docspace:offboardingFile is relative to it. */
  projectDir: string;
  /** Where the export came from, for the ledger: "pulumi stack export" or "--state <file>". */
  source: string;
  dryRun: boolean;
  now: Date;
  tool: string;
}

export interface ArchiveResult {
  archived: Array<{ entry: string; steps: Step[]; fileLine?: number }>;
  /** In the ledger already; the records are still in the stack until the next `pulumi up`. */
  alreadyArchived: Array<{ entry: string; fileLine?: number }>;
  kept: Array<{ entry: string; why: string; fileLine?: number }>;
  /** Entries the file lists that the ledger shows erased, with no record in the stack: the program refuses them. */
  relisted: Array<{ entry: string; fileLine: number; erasure: Erasure; by: "id" | "email" }>;
  /** Ledger lines written (1-based, inclusive), when any. */
  ledgerLines?: { from: number; to: number };
  edit: FileEdit;
  stack?: string;
  dryRun: boolean;
}

/** Archive refused as a whole (the export is of another stack than the file's); nothing was written. */
export class ArchiveRefused extends Error {}

/** Runs the archive; throws ArchiveRefused, LedgerError, OffboardingFileError or FileEditError with nothing written. */
export function archive(input: ArchiveInput): ArchiveResult {
  const ledger = readLedger(input.ledger, input.ledgerLabel);
  const text = readFileSync(input.file, "utf8");
  const file = parseOffboardingFile(text, input.fileLabel);
  const lineOf = new Map(file.removals.map((r) => [logicalName(r), r.line]));
  const at = (entry: string): { fileLine?: number } => (lineOf.has(entry) ? { fileLine: lineOf.get(entry)! } : {});

  const inLedger = new Set(ledger.steps.map(stepKey));
  const records = recordsOf(input.exported);
  refuseAnotherStack(input, ledger, records[0]);
  const verdicts: Verdict[] = [...byEntry(records)].map(([entry, rs]) => judgeEntry(entry, rs, inLedger));
  const result: ArchiveResult = { archived: [], alreadyArchived: [], kept: [], relisted: [], edit: { text, removed: [] }, dryRun: input.dryRun, stack: records[0]?.stack };
  for (const v of verdicts) {
    if (v.kind === "archive") result.archived.push({ entry: v.entry, steps: [...v.steps].sort(byStart), ...at(v.entry) });
    else if (v.kind === "archived") result.alreadyArchived.push({ entry: v.entry, ...at(v.entry) });
    else result.kept.push({ entry: v.entry, why: v.why, ...at(v.entry) });
  }
  const fileOrder = (a: { entry: string; fileLine?: number }, b: { entry: string; fileLine?: number }): number =>
    (a.fileLine ?? Number.MAX_SAFE_INTEGER) - (b.fileLine ?? Number.MAX_SAFE_INTEGER) || a.entry.localeCompare(b.entry);
  result.archived.sort(fileOrder);
  result.alreadyArchived.sort(fileOrder);
  result.kept.sort(fileOrder);
  result.relisted = relistedEntries(file.removals, new Set(records.map((r) => r.entry)), ledger);

  const leaving = [...result.archived.map((a) => a.entry), ...result.alreadyArchived.map((a) => a.entry)];
  result.edit = withoutEntries(text, new Set(leaving), input.fileLabel);

  const lines = result.archived.length > 0 ? ledgerLines(input, ledger, result, leaving, records[0]!) : [];
  if (lines.length > 0) {
    // What the ledger will be must read back as a whole ledger (the same check every later reader makes).
    parseLedger(`${ledger.text}${lines.map((l) => `${l}\n`).join("")}`, input.ledgerLabel);
    result.ledgerLines = { from: ledger.lines.length + 1, to: ledger.lines.length + lines.length };
  }
  if (input.dryRun) return result;
  if (lines.length > 0) appendToLedger(input.ledger, ledger, lines);
  if (result.edit.removed.length > 0) writeAtomically(input.file, result.edit.text);
  return result;
}

/**
 * The export must be of the stack that applies this file: otherwise entries would leave a file
 * whose own stack still holds their records (maybe unfinished, maybe a suspension whose drop
 * re-enables someone). Checked two ways: the stack's docspace:offboardingFile, when set, names
 * this file; and the ledger's earlier archives are of this stack.
 */
function refuseAnotherStack(input: ArchiveInput, ledger: Ledger, first: { stack: string; project: string } | undefined): void {
  const configured = configuredOffboardingFile(input.exported);
  if (configured !== undefined && resolve(input.projectDir, configured) !== resolve(input.file)) {
    throw new ArchiveRefused(
      `the stack's docspace:offboardingFile is ${boundText(configured, 200)}, not ${input.fileLabel}: this stack does not apply ${input.fileLabel}, and archiving its records would take entries out of a file another stack applies. ` +
        `Select the stack that applies ${input.fileLabel} (--stack <name>), or give --file for the file this stack applies (run archive in the Pulumi project's folder). Nothing was written.`,
    );
  }
  const other = first && ledger.archives.find((a) => a.stack !== first.stack || a.project !== first.project);
  if (first && other) {
    throw new ArchiveRefused(
      `${input.ledgerLabel} line ${other.lineNumber} archived stack ${other.project}/${other.stack}; these records are of ${first.project}/${first.stack}. One ledger (and file) belongs to one stack: select the stack that applies ${input.fileLabel} (--stack ${other.stack}). Nothing was written.`,
    );
  }
}

const byStart = (a: Step, b: Step): number => (a.startedAt ?? "").localeCompare(b.startedAt ?? "");

/** Entries the file lists, without a record in this stack, that the ledger shows erased. */
function relistedEntries(removals: readonly Removal[], inStack: ReadonlySet<string>, ledger: Ledger): ArchiveResult["relisted"] {
  const index = indexErasures(ledger);
  const out: ArchiveResult["relisted"] = [];
  for (const r of removals) {
    const name = logicalName(r);
    if (inStack.has(name)) continue;
    const found = erasureOf(index, r);
    if (found) out.push({ entry: name, fileLine: r.line, ...found });
  }
  return out;
}

/** The lines this run appends: its steps, then the line that closes the run. */
function ledgerLines(input: ArchiveInput, ledger: Ledger, result: ArchiveResult, leaving: string[], first: { stack: string; project: string }): string[] {
  const { prev: start, nextSeq } = tail(ledger);
  const run = { archive: randomUUID(), archivedAt: input.now.toISOString(), stack: first.stack, project: first.project };
  const fileInLedger = relative(dirname(input.ledger), input.file).split("\\").join("/") || basename(input.file);
  const out: string[] = [];
  let prev = start;
  const push = (line: StepLine | ArchiveLine): void => {
    const text = JSON.stringify(line);
    out.push(text);
    prev = lineHash(text);
  };
  /** The fields every line starts with: the format, its place in the chain, and this archive run. */
  const head = () => ({ format: LEDGER_FORMAT, v: LEDGER_VERSION, seq: nextSeq + out.length, prev, ...run }) as const;
  let steps = 0;
  for (const a of result.archived) {
    for (const s of a.steps) {
      push({
        ...head(),
        stack: s.stack,
        project: s.project,
        kind: "step",
        entry: s.entry,
        step: s.step,
        record: s.record,
        person: s.person,
        ...(s.transferTo !== undefined ? { transferTo: s.transferTo } : {}),
        ...(s.transferToId !== undefined ? { transferToId: s.transferToId } : {}),
        taskId: s.taskId,
        status: s.status,
        ...(s.startedAt !== undefined ? { startedAt: s.startedAt } : {}),
        ...(s.completedAt !== undefined ? { completedAt: s.completedAt } : {}),
        ...(s.reason !== undefined ? { reason: s.reason } : {}),
        ...(s.removeAfter !== undefined ? { removeAfter: s.removeAfter } : {}),
        portal: s.portal,
        evidence: s.evidence,
        actor: s.actor,
        file: a.fileLine !== undefined ? { path: fileInLedger, line: a.fileLine } : null,
      });
      steps++;
    }
  }
  push({
    ...head(),
    kind: "archive",
    steps,
    entries: result.archived.map((a) => a.entry),
    leaving,
    source: input.source,
    offboardingFile: fileInLedger,
    tool: input.tool,
  });
  return out;
}

/** Writes a new file beside the old one and renames it over: a reader sees the old file or the new one. */
function writeAtomically(path: string, text: string): void {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  writeFileSync(tmp, text, { mode: statSync(path).mode & 0o777 });
  renameSync(tmp, path);
}
