/**
 * The rules for one offboarding entry, written once: the offboarding file (offboarding/schema.ts)
 * and the UserRemoval resource's inputs (resources/user-removal/record.ts) are both built from them.
 */
import { z } from "zod";
import { accountRefKind, emailSchema, guidSchema } from "./docspace/schemas";

export const DEFAULT_TIMEOUT_SECONDS = 600;

/** What an entry does: disable only (reversible), transfer the data and keep the profile, or remove. */
export const ACTIONS = ["disable", "transfer", "remove"] as const;
export type Action = (typeof ACTIONS)[number];

/** A calendar day, YYYY-MM-DD (UTC), that exists. */
export const daySchema = z
  .string()
  .trim()
  .regex(/^\d{4}-\d{2}-\d{2}$/, "must be a date written YYYY-MM-DD, such as 2027-01-31")
  .refine((v) => {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(v)) return true; // the format's own message says it
    const d = new Date(`${v}T00:00:00Z`);
    return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === v;
  }, "must be a date that exists");

export const entryRules = {
  email: emailSchema,
  id: guidSchema.transform((v) => v.toLowerCase()),
  transferTo: z
    .string()
    .trim()
    .refine((v) => accountRefKind(v) !== undefined, "must be the email or the id (GUID) of an active room admin or DocSpace admin who receives the data")
    .transform((v) => v.toLowerCase()),
  allowAdmin: z.boolean(),
  alreadyRemoved: z.boolean(),
  reason: z.string().max(2000, "must be at most 2000 characters"),
  timeoutSeconds: z.number().int("must be a whole number of seconds").min(1, "must be at least 1").max(86_400, "must be at most 86400 (a day)"),
  action: z.enum(ACTIONS, "must be disable, transfer or remove"),
  keepProfile: z.boolean(),
  removeAfter: daySchema,
};

/**
 * The rules between an entry's own fields (the successor may come from the file's defaults, so
 * it is passed separately). Each problem names the field it belongs to.
 */
export function entryCombinationProblems(e: {
  action?: Action;
  keepProfile?: boolean;
  removeAfter?: string;
  alreadyRemoved?: boolean;
  ownTransferTo?: string;
  transferTo?: string;
}): Array<{ field: string; message: string }> {
  const action = e.action ?? "remove";
  const out: Array<{ field: string; message: string }> = [];
  if (action === "disable") {
    if (e.ownTransferTo !== undefined) out.push({ field: "transferTo", message: "action disable moves no data; transferTo is for transfer and remove" });
    if (e.removeAfter !== undefined) out.push({ field: "removeAfter", message: "action disable never removes; to disable now and remove on a date, use action remove (the default) with removeAfter" });
  }
  if (action === "transfer") {
    if (e.transferTo === undefined) out.push({ field: "action", message: "action transfer needs transferTo: the active room admin or DocSpace admin who receives the data" });
    if (e.keepProfile === false) out.push({ field: "keepProfile", message: "action transfer keeps the profile; a transfer that deletes the profile is action remove with transferTo" });
  } else if (e.keepProfile !== undefined) {
    out.push({ field: "keepProfile", message: "keepProfile applies to action transfer only" });
  }
  if (e.alreadyRemoved && (action !== "remove" || e.removeAfter !== undefined)) {
    out.push({ field: "alreadyRemoved", message: "alreadyRemoved records an account already gone; it goes with action remove and no removeAfter" });
  }
  return out;
}

/** An entry names its account exactly once, by email or by id. */
export function namesOneAccount(email: unknown, id: unknown): "neither" | "both" | undefined {
  if (email === undefined && id === undefined) return "neither";
  if (email !== undefined && id !== undefined) return "both";
  return undefined;
}
