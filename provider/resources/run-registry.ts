/**
 * What this run (one provider host: one `pulumi preview` or `up`) has checked of the entries in
 * the file, across resource types: each entry's account and successor, for the cross-entry rules
 * (written once, in offboarding/cross-entry.ts); which entries also transfer their data first; the
 * removals that would newly start (the per-run guard).
 */
import { crossEntryProblems, type EntryAccounts } from "../offboarding/cross-entry";
import type { Action } from "../entry-rules";

/** label → the entry's account and successor (DocSpace ids, lower-cased), in the order checked. */
const entries = new Map<string, EntryAccounts>();
/** Labels of entries whose DataTransfer was checked in this run. */
const transferring = new Set<string>();
/** Accounts whose removal would newly start in this run (the mass-removal guard). */
const newRemovals = new Set<string>();

/** For tests and harnesses: start a new run. */
export function resetRun(): void {
  entries.clear();
  transferring.clear();
  newRemovals.clear();
}

/**
 * Records one step of an entry (by its label) and returns the cross-entry problems that involve
 * that entry, judged over every entry this run has checked so far.
 */
export function recordStep(action: Action, entry: EntryAccounts): string[] {
  if (action === "transfer") transferring.add(entry.label);
  const known = entries.get(entry.label);
  entries.set(entry.label, { label: entry.label, account: entry.account.toLowerCase(), successor: (entry.successor ?? known?.successor)?.toLowerCase() });
  const all = [...entries.values()];
  const me = all.findIndex((e) => e.label === entry.label);
  return crossEntryProblems(all)
    .filter((p) => p.index === me || p.other === me)
    .map((p) => p.message);
}

/** Notes an entry's DataTransfer already held by the stack (its check reads nothing, so records no accounts). */
export function noteHeldTransfer(label: string): void {
  transferring.add(label);
}

/** Notes an entry's DataTransfer held as finished (its diff): a transfer running now is not that one. */
export function noteFinishedTransfer(label: string): void {
  transferring.delete(label);
}

/** Whether the entry's own DataTransfer was checked in this run and is not finished (it runs before the entry's removal). */
export function entryTransfers(label: string): boolean {
  return transferring.has(label);
}

/** Counts a removal that would newly start; returns how many this run has. */
export function countNewRemoval(id: string): number {
  newRemovals.add(id.toLowerCase());
  return newRemovals.size;
}
