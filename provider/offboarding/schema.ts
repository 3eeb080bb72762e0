/**
 * The offboarding file's schema: the one place its rules live. The JSON Schema for editors
 * (offboarding.schema.json) is generated from it.
 */
import { z } from "zod";
import { accountRefKind, emailSchema, guidSchema } from "../docspace/schemas";

/** Larger files are refused before parsing. 10,000 entries take about 1 MB. */
export const MAX_FILE_BYTES = 4 * 1024 * 1024;
export const MAX_ENTRIES = 10_000;

const accountRef = z
  .string()
  .trim()
  .refine((v) => accountRefKind(v) !== undefined, "must be the email or the id (GUID) of an active room admin or DocSpace admin")
  .transform((v) => v.toLowerCase());

const reason = z.string().max(2000, "must be at most 2000 characters");
const timeoutSeconds = z.number().int("must be a whole number of seconds").min(1, "must be at least 1").max(86_400, "must be at most 86400 (a day)");

export const removalEntrySchema = z
  .strictObject({
    email: emailSchema.optional().describe("The account's email address (give this or id)."),
    id: guidSchema.transform((v) => v.toLowerCase()).optional().describe("The account's id, a GUID (give this or email)."),
    transferTo: accountRef.optional().describe("Email or id of an active room admin or DocSpace admin who receives the account's rooms and shared files. Without it, DocSpace gives them to the API key's account."),
    allowAdmin: z.boolean().optional().describe("Must be true to remove a DocSpace admin (needs the portal owner's key)."),
    reason: reason.optional().describe("Free text kept in the Pulumi state for audit, such as a ticket number."),
    timeoutSeconds: timeoutSeconds.optional().describe("How long `pulumi up` follows this removal before leaving it to the next run (default 600)."),
  })
  .superRefine((entry, ctx) => {
    if (entry.email === undefined && entry.id === undefined) {
      ctx.addIssue({ code: "custom", path: [], message: "an entry needs either email or id to name the account" });
    }
    if (entry.email !== undefined && entry.id !== undefined) {
      ctx.addIssue({ code: "custom", path: ["id"], message: "give either email or id, not both" });
    }
  });

export const defaultsSchema = z
  .strictObject({
    transferTo: accountRef.optional().describe("Default successor for every entry that has none."),
    reason: reason.optional().describe("Default reason for every entry that has none."),
    timeoutSeconds: timeoutSeconds.optional().describe("Default timeoutSeconds."),
  })
  .describe("Applied to every entry. allowAdmin is deliberately not allowed here: removing an admin is asked for entry by entry.");

export const offboardingFileSchema = z
  .strictObject({
    $schema: z.string().optional(),
    version: z.literal(1, "must be 1 (the only version this release understands)").describe("File format version. Always 1."),
    defaults: defaultsSchema.optional(),
    removals: z.array(removalEntrySchema).max(MAX_ENTRIES, `may list at most ${MAX_ENTRIES} accounts`).describe("The accounts to remove."),
  })
  .describe("pulumi-docspace offboarding file: the DocSpace accounts to remove.");

export type RemovalEntry = z.infer<typeof removalEntrySchema>;
export type OffboardingFileData = z.infer<typeof offboardingFileSchema>;
