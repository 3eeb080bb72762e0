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

  /** label → when the entry was first checked. */
  private readonly order = new Map<string, number>();
  /** account id → labels of the entries for it; successor id → labels of the entries handing data to it. */
  private readonly byAccount = new Map<string, Set<string>>();
  private readonly bySuccessor = new Map<string, Set<string>>();

  /**
   * Records one step of an entry (by its label) and returns the cross-entry problems that involve
   * that entry, judged over the entries checked so far that could be in one with it, so a check
   * costs about the same at the 10,000th entry as at the first.
   */
  recordStep(entry: EntryAccounts): string[] {
    const known = this.entries.get(entry.label);
    const mine: EntryAccounts = { label: entry.label, account: entry.account.toLowerCase(), successor: (entry.successor ?? known?.successor)?.toLowerCase() };
    this.entries.set(entry.label, mine);
    if (!this.order.has(mine.label)) this.order.set(mine.label, this.order.size);
    index(this.byAccount, mine.account, mine.label);
    if (mine.successor !== undefined) index(this.bySuccessor, mine.successor, mine.label);
    // Only these can share a problem with this entry: the same account listed again, entries handing
    // data to it, and its successor listed. Entries that merely share its successor cannot.
    const related = new Set([mine.label, ...(this.byAccount.get(mine.account) ?? []), ...(this.bySuccessor.get(mine.account) ?? []), ...(mine.successor === undefined ? [] : (this.byAccount.get(mine.successor) ?? []))]);
    // In the order first checked, as the rules read "the first listing".
    const involved = [...related].map((label) => this.entries.get(label)!).sort((a, b) => this.order.get(a.label)! - this.order.get(b.label)!);
    const me = involved.findIndex((e) => e.label === mine.label);
    return crossEntryProblems(involved)
      .filter((p) => p.index === me || p.other === me)
      .map((p) => p.message);
  }

  /** Counts a removal that would newly start; returns how many this run has. */
  countNewRemoval(id: string): number {
    this.newRemovals.add(id.toLowerCase());
    return this.newRemovals.size;
  }
}

function index(map: Map<string, Set<string>>, id: string, label: string): void {
  const labels = map.get(id) ?? new Set<string>();
  labels.add(label);
  map.set(id, labels);
}
