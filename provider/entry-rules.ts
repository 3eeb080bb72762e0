/**
 * The rules for one offboarding entry, written once: the offboarding file (offboarding/schema.ts)
 * and the UserRemoval resource's inputs (resources/user-removal-model.ts) are both built from them.
 */
import { z } from "zod";
import { accountRefKind, emailSchema, guidSchema } from "./docspace/schemas";

export const DEFAULT_TIMEOUT_SECONDS = 600;

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
};

/** An entry names its account exactly once, by email or by id. */
export function namesOneAccount(email: unknown, id: unknown): "neither" | "both" | undefined {
  if (email === undefined && id === undefined) return "neither";
  if (email !== undefined && id !== undefined) return "both";
  return undefined;
}
