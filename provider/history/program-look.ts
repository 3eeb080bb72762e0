/**
 * What the offboarding program learns from the ledger next to its file, before it looks at the
 * portal or declares anything:
 * - an entry naming an account the ledger shows erased is refused (it would be offboarded again:
 *   by id it no longer exists; by email, a new account may have the address);
 * - for each entry of the last archive that the file no longer lists, one line saying its record
 *   leaves the stack and nothing happens at DocSpace (what the preview's delete of it means).
 * The program cannot see the stack's records, so the lines name the last archive's entries, and
 * say "if it is still there": after the `pulumi up` that drops them, they repeat until the next
 * archive.
 */
import { logicalName } from "../program/names";
import type { OffboardingFile } from "../offboarding/parse";
import { LedgerError, ledgerPathFor, readLedger } from "./ledger-file";
import { dayOf, erasureOf, indexErasures, relistedAdvice } from "./ledger-index";

export interface LedgerLook {
  /** Why the run must stop (empty: it may go on). */
  problems: string[];
  /** The refusal, for people: every problem, and what to do. */
  message: string;
  /** One line per archived entry whose record leaves the stack. */
  notes: string[];
}

/** `file`: the offboarding file's path; `fileLabel`: as the settings named it (messages). */
export function lookAtLedger(file: string, fileLabel: string, parsed: OffboardingFile): LedgerLook {
  const ledgerLabel = ledgerPathFor(fileLabel);
  let ledger;
  try {
    ledger = readLedger(ledgerPathFor(file), ledgerLabel);
  } catch (e) {
    if (!(e instanceof LedgerError)) throw e;
    return { problems: [e.message], message: `${e.message}\nThe ledger is the proof of earlier removals; the run stops until it is whole.`, notes: [] };
  }
  if (ledger.lines.length === 0) return { problems: [], message: "", notes: [] };

  const index = indexErasures(ledger);
  const problems: string[] = [];
  const listed = new Set<string>();
  for (const r of parsed.removals) {
    const name = logicalName(r);
    listed.add(name);
    const found = erasureOf(index, r);
    if (found) problems.push(`${fileLabel}:${r.line}: ${name} ${relistedAdvice(found, ledgerLabel)}`);
  }
  const message =
    problems.length === 0
      ? ""
      : `${fileLabel}: ${problems.length === 1 ? "an entry names an account" : `${problems.length} entries name accounts`} that ${ledgerLabel} shows erased; nothing was done:\n  ${problems.join("\n  ")}\n` +
        `If \`pulumi-docspace archive\` was interrupted before it took ${problems.length === 1 ? "this entry" : "these entries"} out of ${fileLabel}, run it again.`;

  const last = ledger.archives[ledger.archives.length - 1];
  const notes = (last?.leaving ?? [])
    .filter((name) => !listed.has(name))
    .map((name) => `${name}: archived in ${ledgerLabel} on ${dayOf(last!.archivedAt)}; its record leaves the stack in this run if it is still there; nothing happens at DocSpace`);
  return { problems, message, notes };
}
