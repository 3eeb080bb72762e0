/**
 * What one entry of the offboarding file becomes on a given day: which resources the program
 * declares for it. Written once, for the program, its whole-file look and the README's table.
 *
 * - AccountSuspension: the account is disabled (reversible). Declared for every entry that is not
 *   an immediate removal; `handedOver` once a removal takes the account over, after which taking
 *   the entry out never re-enables it.
 * - DataTransfer: the data moves to the successor and the profile stays (action transfer).
 * - UserRemoval: the data and profile are removed (action remove, on or after removeAfter).
 */
import { daysBetween, isDue } from "../clock";
import type { Removal } from "./parse";

export interface EntryPlan {
  suspend?: { handedOver: boolean };
  transfer: boolean;
  remove: boolean;
  /** For a dated removal: the date and the days left (0 or less: due). */
  due?: { date: string; daysLeft: number };
  /** Due, but the entry's own transfer is still under way: the removal waits for a later run. */
  waitsForTransfer?: boolean;
}

/**
 * `transferUnfinished`: the stack's last run left this entry's DataTransfer unfinished. Its
 * removal then waits for a later run instead of refusing the whole run (the gate would refuse a
 * removal while a transfer of the same person runs).
 */
export function planEntry(r: Pick<Removal, "action" | "removeAfter">, day: string, opts: { transferUnfinished?: boolean } = {}): EntryPlan {
  const due = r.removeAfter !== undefined ? { date: r.removeAfter, daysLeft: daysBetween(day, r.removeAfter) } : undefined;
  const dueNow = r.action !== "disable" && (r.action === "remove" || r.removeAfter !== undefined) && isDue(r.removeAfter, day);
  const waitsForTransfer = dueNow && r.action === "transfer" && opts.transferUnfinished === true;
  const removeNow = dueNow && !waitsForTransfer;
  if (r.action === "remove" && r.removeAfter === undefined) return { transfer: false, remove: true };
  return { suspend: { handedOver: removeNow }, transfer: r.action === "transfer", remove: removeNow, due, ...(waitsForTransfer ? { waitsForTransfer } : {}) };
}

/** One line for people: what happens to the entry in this run. */
export function describePlan(plan: EntryPlan): string {
  const steps: string[] = [];
  if (plan.suspend && !plan.remove) steps.push("disabled (signed out everywhere; reversible)");
  if (plan.transfer) steps.push("data transferred to the successor, profile kept");
  if (plan.remove) steps.push("removed (data and profile; irreversible)");
  let when = "";
  if (plan.due) {
    const d = plan.due.daysLeft;
    const ago = d === 0 ? "today" : `${-d} day${d === -1 ? "" : "s"} ago`;
    when =
      d > 0
        ? `; removal due on ${plan.due.date} (in ${d} day${d === 1 ? "" : "s"})`
        : plan.waitsForTransfer
          ? `; removal due on ${plan.due.date} (${ago}): waits for the transfer to finish, then a later run removes it`
          : `; removal due on ${plan.due.date} (${ago}): removed in this run`;
  }
  return steps.join(", ") + when;
}

/** What a stack recorded for an entry's suspension, as far as the notes below need it. */
export interface Recorded {
  action?: string;
  disabledByStack?: boolean;
  removalDue?: boolean;
}

/**
 * Which way a suspension goes when its entry is taken out, for the preview: from the stack's
 * record when there is one, else from the account's status now (a new entry). The resource's
 * delete decides for itself; this only says it ahead.
 */
export function reversalNote(plan: EntryPlan, recorded: Recorded | undefined, disabledNow: boolean | undefined): string {
  if (!plan.suspend || plan.suspend.handedOver) return "";
  if (recorded?.disabledByStack === true) return "disabled by this stack: taking the entry out re-enables it";
  if (recorded?.disabledByStack === false) return "disabled before this stack: it stays disabled if the entry is taken out";
  if (disabledNow === true) return "already disabled, not by this stack: it stays disabled if the entry is taken out";
  if (disabledNow === false) return "this run disables it: taking the entry out later re-enables it";
  return "";
}

/** What taking an entry out of the file does, for the preview, from what the stack recorded. */
export function takenOutNote(name: string, recorded: Recorded): string {
  if (recorded.disabledByStack === true && !recorded.removalDue) {
    return `${name} is no longer in the file: this run re-enables it (this stack disabled it), unless DocSpace shows it gone, disabled no more, or its data still moving`;
  }
  if (recorded.disabledByStack === false) return `${name} is no longer in the file: it stays disabled (it was disabled before this stack)`;
  return `${name} is no longer in the file: its record is dropped; nothing changes in DocSpace`;
}
