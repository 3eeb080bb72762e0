/**
 * AccountSuspension's inputs and stored state, as zod schemas; the types come from them.
 */
import { z } from "zod";
import { recordedAccountFields } from "../step/recorded-account";
import { entryRules, namesOneAccount } from "../../entry-rules";
import { parseStoredState } from "../step/pulumi-props";

export const suspensionInputsSchema = z
  .object({
    /** The account's email (give this or `userId`). */
    email: entryRules.email.optional(),
    /** The account's id, a GUID (give this or `email`). */
    userId: entryRules.id.optional(),
    /** Must be true to disable a DocSpace admin (which also needs the portal owner's key). */
    allowAdmin: entryRules.allowAdmin.optional(),
    /** Free text kept in the state for audit. */
    reason: entryRules.reason.optional(),
    /** A removal has taken the account over: the suspension then only records it (never disables again). */
    handedOver: z.boolean().optional(),
  })
  .superRefine((v, ctx) => {
    if (namesOneAccount(v.email, v.userId)) {
      ctx.addIssue({ code: "custom", path: [v.email === undefined ? "email" : "userId"], message: "give exactly one of email or userId to name the account" });
    }
  });
export type SuspensionInputs = z.infer<typeof suspensionInputsSchema>;

export const suspensionStateSchema = z.object({
  ...recordedAccountFields,
  /** As last seen: Disabled; Active (re-enabled outside this tool); Gone (DocSpace's proof: removed). */
  status: z.enum(["Disabled", "Active", "Gone"]),
  /** This stack disabled it (it was active when the stack first acted). For the audit trail: deleting the record never re-enables anyone. */
  disabledByStack: z.boolean(),
  disabledAt: z.string().optional(),
  /**
   * For an account found disabled already: DocSpace's `terminated`, as found. Often absent and may
   * be stale: `PUT people/status` (the web UI's disable) never writes it (docspace-api.md 7.9).
   */
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
