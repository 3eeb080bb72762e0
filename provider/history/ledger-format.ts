/**
 * The offboarding ledger's lines: one JSON object per line (JSON Lines), kept in git next to the
 * offboarding file. The schemas here are the format; the types come from them.
 *
 * Two kinds of line:
 * - `step`: one finished step of one entry (a removal, a removal with transfer, an account
 *   recorded as already removed, a transfer keeping the profile, or the disable before them), with
 *   who, what, when, why, DocSpace's proof and the portal, as the stack's record held it.
 * - `archive`: closes the steps written by one `pulumi-docspace archive` run, and names the
 *   entries whose records leave the stack with it.
 *
 * Every line carries the format's name and version, its position (`seq`, from 1) and the SHA-256
 * of the line before it (`prev`), so a ledger that was edited, reordered or cut short is refused
 * rather than trusted, and `git log -p` of the file shows only appended lines.
 */
import { createHash } from "node:crypto";
import { z } from "zod";

export const LEDGER_FORMAT = "pulumi-docspace/offboarding-ledger";
export const LEDGER_VERSION = 1;

const isoTime = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/, "must be a UTC time such as 2026-12-01T10:00:00.000Z");
const sha = z.string().regex(/^sha256:[0-9a-f]{64}$/, "must be sha256: and 64 hex digits");

const header = {
  format: z.literal(LEDGER_FORMAT),
  v: z.literal(LEDGER_VERSION),
  /** The line's position in the ledger, from 1. */
  seq: z.number().int().min(1),
  /** SHA-256 of the previous line's bytes (without its newline); null on the first line. */
  prev: sha.nullable(),
  /** The archive run that wrote the line (one id per run). */
  archive: z.uuid(),
  archivedAt: isoTime,
  /** The Pulumi stack and project whose records were archived (from the records' URNs). */
  stack: z.string().min(1),
  project: z.string().min(1),
};

/** What a step did, in the file's words: remove; remove with transferTo; recorded (alreadyRemoved); keep (action transfer); disable. */
export const STEP_KINDS = ["remove", "transfer", "recorded", "keep", "disable"] as const;
export const stepKindSchema = z.enum(STEP_KINDS);
export type StepKind = z.infer<typeof stepKindSchema>;

/** The steps that erase a person: their account is proved gone. */
export const ERASURES: ReadonlySet<StepKind> = new Set(["remove", "transfer", "recorded"]);

export const stepLineSchema = z
  .strictObject({
    ...header,
    kind: z.literal("step"),
    /** The entry's name in the offboarding file and the stack: its email or id. */
    entry: z.string().min(1),
    step: stepKindSchema,
    /** The stack record it came from. */
    record: z.strictObject({ type: z.enum(["UserRemoval", "DataTransfer", "AccountSuspension"]), urn: z.string().min(1), id: z.string() }),
    /** Who, as DocSpace named them when the step ran ("" where the record had nothing). */
    person: z.strictObject({ userId: z.string(), email: z.string(), displayName: z.string(), accountType: z.string() }),
    /** The successor (remove with transferTo, keep): as the file named them, and their DocSpace id. */
    transferTo: z.string().optional(),
    transferToId: z.string().optional(),
    /** DocSpace's task id ("" for a recorded or disable step). */
    taskId: z.string(),
    /** The record's status when archived: Completed for a removal or transfer; Disabled or Gone for a disable. */
    status: z.string().min(1),
    /** When the step started and finished (UTC); a disable has its time only when this stack did it, or DocSpace said since when. */
    startedAt: isoTime.optional(),
    completedAt: isoTime.optional(),
    /** The entry's reason (and ticket), as the file gave it. */
    reason: z.string().optional(),
    removeAfter: z.string().optional(),
    /** The portal the step ran against (its origin). */
    portal: z.string(),
    /** DocSpace's own answer that proves the step ("" only for a disable). */
    evidence: z.string(),
    /** The account of the API key that did it: not recorded by the stack's records of this version (null). */
    actor: z.strictObject({ userId: z.string(), email: z.string().optional(), displayName: z.string().optional() }).nullable(),
    /** Where the entry was in the offboarding file when it was archived (null: it was no longer there). */
    file: z.strictObject({ path: z.string(), line: z.number().int().min(1) }).nullable(),
  })
  .superRefine((l, ctx) => {
    if (l.step !== "disable" && l.evidence.trim() === "") ctx.addIssue({ code: "custom", path: ["evidence"], message: "a removal or transfer needs DocSpace's proof" });
    if (l.step !== "disable" && l.status !== "Completed") ctx.addIssue({ code: "custom", path: ["status"], message: "a removal or transfer is archived only when Completed" });
    if (l.step !== "disable" && (l.startedAt === undefined || l.completedAt === undefined)) ctx.addIssue({ code: "custom", path: ["completedAt"], message: "a removal or transfer needs its start and end times" });
  });
export type StepLine = z.infer<typeof stepLineSchema>;

export const archiveLineSchema = z.strictObject({
  ...header,
  kind: z.literal("archive"),
  /** How many step lines this run wrote (the lines right before this one). */
  steps: z.number().int().min(1),
  /** The entries archived by this run. */
  entries: z.array(z.string().min(1)),
  /** The entries whose records leave the stack at the next `pulumi up`: these, and any archived earlier whose records were still there. */
  leaving: z.array(z.string().min(1)),
  /** Where the records were read: `pulumi stack export`, or a file holding its output. */
  source: z.string(),
  /** The offboarding file the entries were taken out of, relative to the ledger's folder. */
  offboardingFile: z.string(),
  tool: z.string(),
});
export type ArchiveLine = z.infer<typeof archiveLineSchema>;

export const ledgerLineSchema = z.discriminatedUnion("kind", [stepLineSchema, archiveLineSchema]);
export type LedgerLine = z.infer<typeof ledgerLineSchema>;

/** What `prev` of the line after `line` must be. */
export function lineHash(line: string): string {
  return `sha256:${createHash("sha256").update(line, "utf8").digest("hex")}`;
}

/** One step, identified across archive runs: the same record's same task is archived once. */
export function stepKey(s: Pick<StepLine, "record" | "step" | "taskId" | "startedAt">): string {
  return [s.record.urn, s.step, s.taskId, s.startedAt ?? ""].join("\u0000");
}
