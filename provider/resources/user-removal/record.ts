/**
 * UserRemoval's inputs and stored state (outputs), as zod schemas; the types come from them.
 */
import { z } from "zod";
import { recordedAccountFields } from "../step/recorded-account";
import { DEFAULT_TIMEOUT_SECONDS, type Action, entryCombinationProblems, entryRules, namesOneAccount } from "../../entry-rules";
import { parseStoredState } from "../step/pulumi-props";

export { DEFAULT_TIMEOUT_SECONDS };

export const userRemovalInputsSchema = z
  .object({
    /** The account's email (give this or `userId`). */
    email: entryRules.email.optional(),
    /** The account's id, a GUID (give this or `email`). */
    userId: entryRules.id.optional(),
    /** Email or id of an active room admin or DocSpace admin who receives the account's rooms and shared files. */
    transferTo: entryRules.transferTo.optional(),
    /** Must be true to remove a DocSpace admin (which also needs the portal owner's key). */
    allowAdmin: entryRules.allowAdmin.optional(),
    /** Record an account that is already gone (e.g. removed by an interrupted run) without starting anything; accepted only while DocSpace has no such account. */
    alreadyRemoved: entryRules.alreadyRemoved.optional(),
    /** Free text kept in the state for audit, e.g. a ticket number. */
    reason: entryRules.reason.optional(),
    /** How long `pulumi up` follows the removal before leaving it to the next run. Default 600. */
    timeoutSeconds: entryRules.timeoutSeconds.optional(),
    /** Keep the profile: a transfer only (DataTransfer sets it). */
    keepProfile: entryRules.keepProfile.optional(),
    /** A date (YYYY-MM-DD, UTC): the removal is refused before it. */
    removeAfter: entryRules.removeAfter.optional(),
  })
  .superRefine((v, ctx) => {
    if (namesOneAccount(v.email, v.userId)) {
      ctx.addIssue({ code: "custom", path: [v.email === undefined ? "email" : "userId"], message: "give exactly one of email or userId to name the account" });
    }
    const action = v.keepProfile ? "transfer" : "remove";
    for (const p of entryCombinationProblems({ action, keepProfile: v.keepProfile ? true : undefined, removeAfter: v.keepProfile ? undefined : v.removeAfter, alreadyRemoved: v.alreadyRemoved, ownTransferTo: v.transferTo, transferTo: v.transferTo })) {
      ctx.addIssue({ code: "custom", path: [p.field === "action" ? "transferTo" : p.field], message: p.message });
    }
  });
export type UserRemovalInputs = z.infer<typeof userRemovalInputsSchema>;

/**
 * The stored `mode` records which DocSpace call the step made (kept as older versions wrote it):
 * remove: remove/start; transfer: reassign/start deleting the profile; keep: reassign/start keeping
 * it; recorded: nothing started (alreadyRemoved). In the file's vocabulary (Action) the first
 * two are a removal and keep is a transfer.
 */
export type RecordedMode = "remove" | "transfer" | "keep" | "recorded";

export function actionOfMode(mode: RecordedMode): Action {
  return mode === "keep" ? "transfer" : "remove";
}

export function modeOf(step: { action: Action; successor?: unknown }): Exclude<RecordedMode, "recorded"> {
  if (step.action === "transfer") return "keep";
  return step.successor === undefined ? "remove" : "transfer";
}

/** Unconfirmed: the start's answer was lost, so it may have happened; the next run settles it. */
export const removalStatusSchema = z.enum(["Running", "Completed", "Failed", "Canceled", "Unconfirmed"]);
export type RemovalStatus = z.infer<typeof removalStatusSchema>;

export const userRemovalStateSchema = z.object({
  ...recordedAccountFields,
  /**
   * remove / transfer: the profile is removed; keep: a DataTransfer that keeps it; recorded: an
   * account found already gone and recorded on request (alreadyRemoved), nothing started.
   */
  mode: z.enum(["remove", "transfer", "keep", "recorded"]),
  transferTo: z.string().optional(),
  transferToId: z.string().optional(),
  taskId: z.string(),
  /** Unconfirmed: the start's answer was lost; the next `pulumi up` settles it from DocSpace's progress. */
  status: removalStatusSchema,
  /** An unfinished record: when DocSpace last showed its task, or its start was sent (section "A task DocSpace does not show"). */
  seenAt: z.string().optional(),
  percentage: z.number(),
  error: z.string(),
  startedAt: z.string(),
  completedAt: z.string().optional(),
  reason: z.string().optional(),
  allowAdmin: z.boolean(),
  timeoutSeconds: z.number(),
  portal: z.string(),
  /** The API key's account that started (or adopted) the step: for the audit (`pulumi-docspace audit`). */
  actorId: z.string().optional(),
  actorEmail: z.string().optional(),
  /** For Completed: DocSpace's own answer that the profile no longer exists (for keep: that the transfer finished). */
  evidence: z.string().optional(),
});
export type UserRemovalState = z.infer<typeof userRemovalStateSchema>;

/**
 * Whether an unfinished record's task may still wait in DocSpace's queue, where DocSpace does not
 * show it: it was last seen (or its start sent) less than `holdMs` ago. Until then no second task
 * is started beside it.
 */
export function taskMayWait(state: Pick<UserRemovalState, "status" | "seenAt" | "startedAt">, now: number, holdMs: number): boolean {
  if (state.status !== "Running" && state.status !== "Unconfirmed") return false;
  const last = Date.parse(state.seenAt ?? state.startedAt);
  return !Number.isFinite(last) || now - last < holdMs;
}

/** What a record that leaves a field out means by it (older versions did not write some; this one leaves out these values). */
const STATE_DEFAULTS: Readonly<Record<string, unknown>> = { percentage: 0, error: "", allowAdmin: false, timeoutSeconds: DEFAULT_TIMEOUT_SECONDS, displayName: "", accountType: "", portal: "", taskId: "" };

/** The state as stored (the resource's outputs): without undefined fields or fields at their default, which parseState puts back. */
export function storedState(state: UserRemovalState): Record<string, unknown> {
  return Object.fromEntries(Object.entries(state).filter(([k, v]) => v !== undefined && !(k in STATE_DEFAULTS && STATE_DEFAULTS[k] === v)));
}

/** Reads stored state leniently: state written by another version must still load. */
export function parseState(props: Record<string, unknown>): UserRemovalState {
  return parseStoredState(
    userRemovalStateSchema,
    STATE_DEFAULTS,
    props,
    "UserRemoval",
    "Run `pulumi refresh`, or remove it from the stack with `pulumi state delete` if the account is gone.",
  );
}
