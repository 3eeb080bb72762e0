/**
 * Dates for removal schedules (`removeAfter`), in UTC. Which day is "today" is a setting
 * (`docspace:today` / DOCSPACE_TODAY, read by settings-reader.ts); without it, the UTC date.
 */

/** The UTC date of `now`, YYYY-MM-DD. */
export function utcDay(now: Date = new Date()): string {
  return now.toISOString().slice(0, 10);
}

/** Whole days from `from` to `to` (both YYYY-MM-DD); negative when `to` is earlier. */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

/** Whether a removal dated `removeAfter` may run on `day`: on or after the date. */
export function isDue(removeAfter: string | undefined, day: string): boolean {
  return removeAfter === undefined || daysBetween(removeAfter, day) >= 0;
}
