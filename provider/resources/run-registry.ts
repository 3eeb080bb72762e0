/**
 * What this run (one provider host: one `pulumi preview` or `up`) has seen of the accounts in the
 * file, across resource types: which entry claimed each account for each kind of step, and who is
 * named as a successor. The cross-entry rules and "is this account still being offboarded in this
 * run?" (before a suspension's delete re-enables anyone) read it.
 */
export type StepKind = "remove" | "keep" | "disable";

/** `${kind}:${id}` → the entry's label. */
const claims = new Map<string, string>();
/** successor id → the entry naming it. */
const successors = new Map<string, string>();
/** Accounts whose removal would newly start in this run (the mass-removal guard). */
const newRemovals = new Set<string>();

const key = (kind: StepKind, id: string): string => `${kind}:${id.toLowerCase()}`;

/** For tests and harnesses: start a new run. */
export function resetRun(): void {
  claims.clear();
  successors.clear();
  newRemovals.clear();
  offboarded.clear();
}

/** Claims `id` for `kind` on behalf of `entry`; returns the entry that claimed it first, if another. */
export function claim(kind: StepKind, id: string, entry: string): string | undefined {
  const first = claims.get(key(kind, id));
  if (first !== undefined && first !== entry) return first;
  claims.set(key(kind, id), entry);
  return undefined;
}

/**
 * Another entry of this run that claimed `id` for any kind of step. One entry's own steps (its
 * suspension, transfer and removal) share its label; two entries naming one account do not.
 */
export function claimedByAnother(id: string, entry: string): string | undefined {
  for (const kind of ["remove", "keep", "disable"] as const) {
    const by = claims.get(key(kind, id));
    if (by !== undefined && by !== entry) return by;
  }
  return undefined;
}

/** The entry that claimed `id` for `kind` in this run, if any. */
export function claimedBy(kind: StepKind, id: string): string | undefined {
  return claims.get(key(kind, id));
}

/** Ids and emails (lower-cased) of accounts some entry of this run disables, transfers or removes. */
const offboarded = new Set<string>();

export function markOffboarded(...refs: Array<string | undefined>): void {
  for (const r of refs) if (r) offboarded.add(r.trim().toLowerCase());
}

/** Whether any entry of this run disables, transfers or removes the account (by id or email). */
export function isOffboardedThisRun(...refs: Array<string | undefined>): boolean {
  return refs.some((r) => r !== undefined && r !== "" && offboarded.has(r.trim().toLowerCase()));
}

export function nameSuccessor(id: string, entry: string): void {
  successors.set(id.toLowerCase(), entry);
}

export function successorNamedBy(id: string): string | undefined {
  return successors.get(id.toLowerCase());
}

/** Counts a removal that would newly start; returns how many this run has. */
export function countNewRemoval(id: string): number {
  newRemovals.add(id.toLowerCase());
  return newRemovals.size;
}
