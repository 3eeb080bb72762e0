/**
 * Which entries may leave the stack for the ledger. An entry is archived only as a whole, and only
 * when all of these hold:
 * - it erased the person: a UserRemoval that is Completed, with DocSpace's proof (removed; removed
 *   with a transfer; or recorded as already removed);
 * - every other record of the entry is finished too (its DataTransfer Completed with proof);
 * - dropping its records touches nothing at the portal: no delete of this package's resources
 *   writes (an AccountSuspension's delete never re-enables anyone).
 * A disable alone, or a transfer that keeps the profile, is not an erasure: the account still
 * exists and the entry keeps it disabled, so it stays in the stack (and in the file).
 */
import { stepKey } from "./ledger-format";
import type { StackRecord } from "./stack-export";
import { stepOf, type Step } from "./steps";

export type Verdict =
  /** New steps to append; the entry leaves the file and, at the next `pulumi up`, the stack. */
  | { entry: string; kind: "archive"; steps: Step[]; alreadyInLedger: number }
  /** Every step is in the ledger already; its records are still in the stack (until the next `pulumi up`). */
  | { entry: string; kind: "archived"; steps: Step[] }
  /** Not archived, and why (for people). */
  | { entry: string; kind: "keep"; why: string };

/** The records of one export, by entry, in the order the export lists them. */
export function byEntry(records: readonly StackRecord[]): Map<string, StackRecord[]> {
  const out = new Map<string, StackRecord[]>();
  for (const r of records) out.set(r.entry, [...(out.get(r.entry) ?? []), r]);
  return out;
}

function notFinished(r: StackRecord): string | undefined {
  const what = r.type === "DataTransfer" ? "its transfer" : r.type === "AccountSuspension" ? "its suspension" : "its removal";
  if (r.state === undefined) return `${what}'s record cannot be read (${r.unreadable}); it stays in the stack`;
  if (r.unfinished) return `${what} is not finished: ${r.unfinished}; the next \`pulumi up\` resumes it`;
  if (r.type === "AccountSuspension") return undefined;
  const s = r.state;
  switch (s.status) {
    case "Completed":
      return s.evidence !== undefined && s.evidence.trim() !== ""
        ? undefined
        : `${what} is recorded Completed without DocSpace's proof (an older version wrote it); without proof the ledger would hold a claim, not evidence, so it stays in the stack`;
    case "Running":
      return `${what} is still running at DocSpace (started ${s.startedAt}, ${s.percentage}%); the next \`pulumi up\` or \`pulumi refresh\` follows it to the end`;
    case "Unconfirmed":
      return `${what} is Unconfirmed (the answer to its start was lost); the next \`pulumi up\` settles it from DocSpace's progress first`;
    case "Failed":
      return `${what} failed in DocSpace${s.error ? ` (${s.error})` : ""}; the account is still there. Fix the cause; the next \`pulumi up\` retries`;
    case "Canceled":
      return `${what} was canceled in DocSpace; the account may still be there. The next \`pulumi up\` resumes it`;
  }
}

/** The verdict for one entry's records, given the steps the ledger already holds (by stepKey). */
export function judgeEntry(entry: string, records: readonly StackRecord[], inLedger: ReadonlySet<string>): Verdict {
  const removals = records.filter((r) => r.type === "UserRemoval");
  if (removals.length === 0) {
    const transfer = records.some((r) => r.type === "DataTransfer");
    return {
      entry,
      kind: "keep",
      why: transfer
        ? "a transfer that keeps the profile is not an erasure: the account still exists (disabled) and the entry keeps it so; it is archived with its removal, once the entry has one (removeAfter)"
        : "a disable is not an erasure: the account still exists (disabled); suspensions are not archived",
    };
  }
  for (const r of records) {
    const why = notFinished(r);
    if (why) return { entry, kind: "keep", why };
  }
  const steps = records.map(stepOf).filter((s): s is Step => s !== undefined);
  const fresh = steps.filter((s) => !inLedger.has(stepKey(s)));
  if (fresh.length === 0) return { entry, kind: "archived", steps };
  return { entry, kind: "archive", steps: fresh, alreadyInLedger: steps.length - fresh.length };
}
