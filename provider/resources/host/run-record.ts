/**
 * What one run (one provider host: one `pulumi preview` or `up`) has checked of the entries in the
 * file, across resource types: each entry's account and successor, for the cross-entry rules
 * (written once, in offboarding/cross-entry.ts), and the removals that would newly start (the
 * per-run guard). Held by the host's context (context.ts), never by a module.
 */
import { crossEntryProblems, type EntryAccounts } from "../../offboarding/cross-entry";

export class RunRecord {
  /** label → the entry's account and successor (DocSpace ids, lower-cased), in the order checked. */
  private readonly entries = new Map<string, EntryAccounts>();
  /** Accounts whose removal would newly start in this run (the mass-removal guard). */
  private readonly newRemovals = new Set<string>();

  /**
   * Records one step of an entry (by its label) and returns the cross-entry problems that involve
   * that entry, judged over every entry this run has checked so far.
   */
  recordStep(entry: EntryAccounts): string[] {
    const known = this.entries.get(entry.label);
    this.entries.set(entry.label, { label: entry.label, account: entry.account.toLowerCase(), successor: (entry.successor ?? known?.successor)?.toLowerCase() });
    const all = [...this.entries.values()];
    const me = all.findIndex((e) => e.label === entry.label);
    return crossEntryProblems(all)
      .filter((p) => p.index === me || p.other === me)
      .map((p) => p.message);
  }

  /** Counts a removal that would newly start; returns how many this run has. */
  countNewRemoval(id: string): number {
    this.newRemovals.add(id.toLowerCase());
    return this.newRemovals.size;
  }
}
