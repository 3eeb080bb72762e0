/**
 * The offboarding file's schema: the one place its rules live. The JSON Schema for editors
 * (offboarding.schema.json) is generated from it.
 */
import { z } from "zod";
import { entryRules, namesOneAccount } from "../entry-rules";

/** Larger files are refused before parsing. 10,000 entries take about 1 MB. */
export const MAX_FILE_BYTES = 4 * 1024 * 1024;
export const MAX_ENTRIES = 10_000;

export const removalEntrySchema = z
  .strictObject({
    email: entryRules.email.optional().describe("The account's email address (give this or id)."),
    id: entryRules.id.optional().describe("The account's id, a GUID (give this or email)."),
    transferTo: entryRules.transferTo.optional().describe("Email or id of an active room admin or DocSpace admin who receives the account's rooms and shared files. Without it, DocSpace gives them to the API key's account."),
    allowAdmin: entryRules.allowAdmin.optional().describe("Must be true to remove a DocSpace admin (needs the portal owner's key)."),
    alreadyRemoved: entryRules.alreadyRemoved
      .optional()
      .describe("Record an account that is already gone (removed by an interrupted run, or by hand) without starting anything. Accepted only while DocSpace has no such account."),
    reason: entryRules.reason.optional().describe("Free text kept in the Pulumi state for audit, such as a ticket number."),
    timeoutSeconds: entryRules.timeoutSeconds.optional().describe("How long `pulumi up` follows this removal before leaving it to the next run (default 600)."),
  })
  .superRefine((entry, ctx) => {
    const problem = namesOneAccount(entry.email, entry.id);
    if (problem === "neither") ctx.addIssue({ code: "custom", path: [], message: "an entry needs either email or id to name the account" });
    if (problem === "both") ctx.addIssue({ code: "custom", path: ["id"], message: "give either email or id, not both" });
  });

export const defaultsSchema = z
  .strictObject({
    transferTo: entryRules.transferTo.optional().describe("Default successor for every entry that has none."),
    reason: entryRules.reason.optional().describe("Default reason for every entry that has none."),
    timeoutSeconds: entryRules.timeoutSeconds.optional().describe("Default timeoutSeconds."),
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
