/**
 * UserRemoval's inputs and stored state (outputs), as zod schemas; the types come from them.
 */
import { z } from "zod";
import { accountRefKind, emailSchema, guidSchema } from "../docspace/schemas";
import { withoutProvider } from "./props";

export const DEFAULT_TIMEOUT_SECONDS = 600;

export const userRemovalInputsSchema = z
  .object({
    email: emailSchema.optional(),
    userId: guidSchema.transform((s) => s.toLowerCase()).optional(),
    transferTo: z
      .string()
      .trim()
      .refine((v) => accountRefKind(v) !== undefined, "must be the email or the id (GUID) of the DocSpace account that receives the data")
      .transform((v) => v.toLowerCase())
      .optional(),
    allowAdmin: z.boolean().optional(),
    reason: z.string().max(2000, "must be at most 2000 characters").optional(),
    timeoutSeconds: z.number().int("must be a whole number of seconds").min(1, "must be at least 1").max(86_400, "must be at most 86400 (a day)").optional(),
  })
  .superRefine((v, ctx) => {
    if ((v.email === undefined) === (v.userId === undefined)) {
      ctx.addIssue({ code: "custom", path: [v.email === undefined ? "email" : "userId"], message: "give exactly one of email or userId to name the account" });
    }
  });
export type UserRemovalInputs = z.infer<typeof userRemovalInputsSchema>;

/** The input that names the account, for failures about it. */
export function accountProperty(inputs: Pick<UserRemovalInputs, "userId">): "userId" | "email" {
  return inputs.userId !== undefined ? "userId" : "email";
}

export const removalStatusSchema = z.enum(["Running", "Completed", "Failed", "Canceled"]);
export type RemovalStatus = z.infer<typeof removalStatusSchema>;

export const userRemovalStateSchema = z.object({
  userId: z.string(),
  email: z.string(),
  displayName: z.string(),
  accountType: z.string(),
  mode: z.enum(["remove", "transfer"]),
  transferTo: z.string().optional(),
  transferToId: z.string().optional(),
  taskId: z.string(),
  status: removalStatusSchema,
  percentage: z.number(),
  error: z.string(),
  startedAt: z.string(),
  completedAt: z.string().optional(),
  reason: z.string().optional(),
  allowAdmin: z.boolean(),
  timeoutSeconds: z.number(),
  portal: z.string(),
});
export type UserRemovalState = z.infer<typeof userRemovalStateSchema>;

/** Reads stored state leniently: state written by another version must still load. */
export function parseState(props: Record<string, unknown>): UserRemovalState {
  const parsed = userRemovalStateSchema.safeParse({
    percentage: 0,
    error: "",
    allowAdmin: false,
    timeoutSeconds: DEFAULT_TIMEOUT_SECONDS,
    displayName: "",
    accountType: "",
    portal: "",
    taskId: "",
    ...withoutProvider(props),
  });
  if (!parsed.success) {
    throw new Error(`The stored state of this UserRemoval is not readable (${parsed.error.issues[0]?.path.join(".")}: ${parsed.error.issues[0]?.message}). Run \`pulumi refresh\`, or remove it from the stack with \`pulumi state delete\` if the account is gone.`);
  }
  return parsed.data;
}
