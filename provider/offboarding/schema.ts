/**
 * The offboarding file's schema: the one place its rules live. The JSON Schema for editors
 * (offboarding.schema.json) is generated from it.
 */
import { z } from "zod";
import { entryCombinationProblems, entryRules, namesOneAccount } from "../entry-rules";

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
    action: entryRules.action
      .optional()
      .describe("disable: only disable the account. Taking the entry out (or destroying the stack) leaves it disabled: once the entry is out, re-enable it in DocSpace if it should come back. transfer: move the data to transferTo and keep the profile, disabled. remove (default): remove the data and the profile."),
    keepProfile: entryRules.keepProfile.optional().describe("With action transfer: keep the profile (disabled). Always true for transfer."),
    removeAfter: entryRules.removeAfter
      .optional()
      .describe("A date (YYYY-MM-DD, UTC). Before it the account is only disabled; on or after it a run removes it (with transferTo, if any)."),
  })
  .superRefine((entry, ctx) => {
    const problem = namesOneAccount(entry.email, entry.id);
    if (problem === "neither") ctx.addIssue({ code: "custom", path: [], message: "an entry needs either email or id to name the account" });
    if (problem === "both") ctx.addIssue({ code: "custom", path: ["id"], message: "give either email or id, not both" });
    // A transfer's successor may come from the defaults: that one is checked with the whole file.
    for (const p of entryCombinationProblems({ ...entry, ownTransferTo: entry.transferTo, transferTo: entry.transferTo ?? "(defaults)" })) {
      ctx.addIssue({ code: "custom", path: [p.field], message: p.message });
    }
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
    removals: z.array(removalEntrySchema).max(MAX_ENTRIES, `may list at most ${MAX_ENTRIES} accounts`).describe("The accounts to offboard."),
  })
  .superRefine((file, ctx) => {
    // The successor rules with the file's default successor, which an entry alone cannot see.
    file.removals.forEach((e, i) => {
      const transferTo = e.transferTo ?? file.defaults?.transferTo;
      for (const p of entryCombinationProblems({ ...e, ownTransferTo: e.transferTo, transferTo }).filter((p) => p.field === "action")) {
        ctx.addIssue({ code: "custom", path: ["removals", i, "action"], message: p.message });
      }
    });
  })
  .describe("pulumi-docspace offboarding file: the DocSpace accounts to remove.");

export type RemovalEntry = z.infer<typeof removalEntrySchema>;
export type OffboardingFileData = z.infer<typeof offboardingFileSchema>;
