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
 * Which way a suspension goes when its entry is taken out, for the preview, from the account's
 * status now. The resource's delete decides for itself (from its own record); this says it ahead.
 */
export function reversalNote(plan: EntryPlan, disabledNow: boolean | undefined): string {
  if (!plan.suspend || plan.suspend.handedOver) return "";
  if (disabledNow === false) return "this run disables it: taking the entry out later re-enables it";
  if (disabledNow === true) return "already disabled: taking the entry out re-enables it only if this stack disabled it (the disabledByStack output)";
  return "";
}
