/**
 * The rules between entries of one offboarding file, written once as a pure function over the
 * whole file. Its callers differ only in how well they know each account:
 * - the file parser, by the entry's own words (email or id, lower-cased);
 * - the program's look at the whole file, by the DocSpace account each entry resolves to;
 * - a resource's check, by the accounts the entries checked so far in this run resolved to.
 * One entry's own steps (suspension, transfer, removal) are one entry here.
 */

export interface EntryAccounts {
  /** How messages name the entry (its account as written). */
  label: string;
  /** The account, as known to the caller (lower-cased). */
  account: string;
  /** The successor (transferTo), as known to the caller (lower-cased), if the entry moves data. */
  successor?: string;
}

export type CrossEntryRule = "listed-twice" | "successor-listed" | "successor-is-self";

export interface CrossEntryProblem {
  rule: CrossEntryRule;
  /** The entry the problem is reported on. */
  index: number;
  /** The other entry involved (the first listing, or the offboarded successor); itself for successor-is-self. */
  other: number;
  /** The field to point at: the account, or transferTo. */
  field: "account" | "transferTo";
  message: string;
}

export function crossEntryProblems(entries: readonly EntryAccounts[]): CrossEntryProblem[] {
  const problems: CrossEntryProblem[] = [];
  const firstListing = new Map<string, number>();
  entries.forEach((e, i) => {
    const first = firstListing.get(e.account);
    if (first === undefined) firstListing.set(e.account, i);
    else problems.push({ rule: "listed-twice", index: i, other: first, field: "account", message: `${e.label} is the same DocSpace account as ${entries[first]!.label}, which is also listed; list each account once.` });
  });
  entries.forEach((e, i) => {
    if (e.successor === undefined) return;
    if (e.successor === e.account) {
      problems.push({ rule: "successor-is-self", index: i, other: i, field: "transferTo", message: `transferTo of ${e.label} is the account being offboarded itself; name someone else to receive the data.` });
      return;
    }
    const j = firstListing.get(e.successor);
    if (j !== undefined) {
      problems.push({
        rule: "successor-listed",
        index: i,
        other: j,
        field: "transferTo",
        message: `the successor (transferTo) of ${e.label} is ${entries[j]!.label}, who is also listed for offboarding; the data would go to an account that is being offboarded. Name a successor who stays.`,
      });
    }
  });
  return problems;
}

/** The per-run guard against a mass removal (a typo, a bad merge): more removals would newly start than `limit` allows. */
export function exceedsRunLimit(newRemovals: number, limit: number): boolean {
  return newRemovals > limit;
}
