/**
 * AccountSuspension's inputs and stored state, as zod schemas; the types come from them.
 */
import { z } from "zod";
import { entryRules, namesOneAccount } from "../entry-rules";
import { parseStoredState } from "./props";

export const suspensionInputsSchema = z
  .object({
    email: entryRules.email.optional(),
    userId: entryRules.id.optional(),
    allowAdmin: entryRules.allowAdmin.optional(),
    reason: entryRules.reason.optional(),
    /** A removal has taken the account over: from then on, deleting this record never re-enables it. */
    handedOver: z.boolean().optional(),
  })
  .superRefine((v, ctx) => {
    if (namesOneAccount(v.email, v.userId)) {
      ctx.addIssue({ code: "custom", path: [v.email === undefined ? "email" : "userId"], message: "give exactly one of email or userId to name the account" });
    }
  });
export type SuspensionInputs = z.infer<typeof suspensionInputsSchema>;

export const suspensionStateSchema = z.object({
  userId: z.string(),
  email: z.string(),
  displayName: z.string(),
  accountType: z.string(),
  /** As last seen: Disabled; Active (re-enabled outside this tool); Gone (DocSpace's proof: removed). */
  status: z.enum(["Disabled", "Active", "Gone"]),
  /** This stack disabled it (it was active when the stack first acted): only then may deleting the record re-enable it. */
  disabledByStack: z.boolean(),
  disabledAt: z.string().optional(),
  /** For an account found disabled already: since when, by DocSpace's `terminated`. */
  disabledSince: z.string().optional(),
  handedOver: z.boolean(),
  reason: z.string().optional(),
  allowAdmin: z.boolean(),
  portal: z.string(),
  evidence: z.string().optional(),
});
export type SuspensionState = z.infer<typeof suspensionStateSchema>;

export function parseSuspensionState(props: Record<string, unknown>): SuspensionState {
  return parseStoredState(
    suspensionStateSchema,
    { displayName: "", accountType: "", handedOver: false, allowAdmin: false, portal: "" },
    props,
    "AccountSuspension",
    "Run `pulumi refresh`, or remove it from the stack with `pulumi state delete`.",
  );
}
