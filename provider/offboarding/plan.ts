/**
 * What one entry of the offboarding file becomes on a given day: which resources the program
 * declares for it. Written once, for the program, its whole-file look and the README's table.
 *
 * - AccountSuspension: the account is disabled (reversible, by a person in DocSpace: taking the
 *   entry out never re-enables it). Declared for every entry that is not an immediate removal;
 *   `handedOver` once a removal takes the account over, after which it only records the account.
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
}

export function planEntry(r: Pick<Removal, "action" | "removeAfter">, day: string): EntryPlan {
  const due = r.removeAfter !== undefined ? { date: r.removeAfter, daysLeft: daysBetween(day, r.removeAfter) } : undefined;
  const removeNow = r.action !== "disable" && (r.action === "remove" || r.removeAfter !== undefined) && isDue(r.removeAfter, day);
  if (r.action === "remove" && r.removeAfter === undefined) return { transfer: false, remove: true };
  return { suspend: { handedOver: removeNow }, transfer: r.action === "transfer", remove: removeNow, due };
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
    when = d > 0 ? `; removal due on ${plan.due.date} (in ${d} day${d === 1 ? "" : "s"})` : `; removal due on ${plan.due.date} (${ago}): removed in this run${plan.transfer ? ", once its transfer has finished" : ""}`;
  }
  return steps.join(", ") + when;
}

/**
 * What taking a suspension's entry out will do, for the preview, with whether this run disables the
 * account (from its status now). The delete never re-enables (resources/account-suspension/methods.ts, remove):
 * DocSpace cannot tell whether someone else disabled it again since. The note says so, and what a
 * person does instead; in that order, since while the entry is in the file a run disables it again.
 */
export function reversalNote(plan: EntryPlan, disabledNow: boolean | undefined): string {
  if (!plan.suspend || plan.suspend.handedOver) return "";
  const stays = "taking the entry out leaves it disabled: once the entry is out, re-enable it in DocSpace if it should come back";
  if (disabledNow === false) return `this run disables it; ${stays}`;
  if (disabledNow === true) return `already disabled; ${stays}`;
  return stays;
}
