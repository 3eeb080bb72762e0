/**
 * Today's date for removal schedules (`removeAfter`), in UTC. `docspace:today` (or DOCSPACE_TODAY)
 * sets it for tests and rehearsals; it is a plain stack setting, so it shows in review like any
 * other change. The program and the provider read it through this one function.
 */
import { DocSpaceError } from "./docspace/errors";
import { daySchema } from "./entry-rules";

export function today(fromConfig: string | undefined, fromEnv: string | undefined, now: Date = new Date()): string {
  const [raw, where] = fromConfig !== undefined && fromConfig !== "" ? [fromConfig, "docspace:today"] : [fromEnv, "DOCSPACE_TODAY"];
  if (raw === undefined || raw === "") return now.toISOString().slice(0, 10);
  const parsed = daySchema.safeParse(raw);
  if (!parsed.success) {
    throw new DocSpaceError("configuration", `${where} must be a date written YYYY-MM-DD (got "${String(raw).slice(0, 40)}"). Unset it to use today's date (UTC).`);
  }
  return parsed.data;
}

/** Whole days from `from` to `to` (both YYYY-MM-DD); negative when `to` is earlier. */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

/** Whether a removal dated `removeAfter` may run on `day`: on or after the date. */
export function isDue(removeAfter: string | undefined, day: string): boolean {
  return removeAfter === undefined || daysBetween(removeAfter, day) >= 0;
}
