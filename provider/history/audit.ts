/**
 * The audit's rows: every step of every person, from the ledger (what was archived, whatever has
 * left the file and the stack since) and from the stack (what is still there, finished or not).
 * A step archived while its record is still in the stack is one row, from the ledger.
 */
import { stepKey, type StepKind } from "./ledger-format";
import type { Ledger } from "./ledger-file";
import type { StackRecord } from "./stack-export";
import { describeStep, stepOf, type Step } from "./steps";

export interface AuditRow {
  /** ledger: archived (its record may still be in the stack: inStack); stack: only in the stack. */
  source: "ledger" | "stack";
  inStack: boolean;
  stack: string;
  project: string;
  entry: string;
  step: StepKind | "unreadable";
  what: string;
  displayName: string;
  email: string;
  userId: string;
  accountType: string;
  transferTo: string;
  transferToId: string;
  status: string;
  taskId: string;
  startedAt: string;
  completedAt: string;
  reason: string;
  evidence: string;
  portal: string;
  /** The API key's account that did it: "" when not recorded (records of earlier versions, suspensions). */
  actor: string;
  archivedAt: string;
  ledgerLine?: number;
}

export function auditRows(ledger: Ledger, records: readonly StackRecord[]): AuditRow[] {
  const rows: AuditRow[] = [];
  const byKey = new Map<string, AuditRow>();
  for (const s of ledger.steps) {
    const row: AuditRow = {
      source: "ledger",
      inStack: false,
      stack: s.stack,
      project: s.project,
      entry: s.entry,
      ...stepFields(s),
      archivedAt: s.archivedAt,
      ledgerLine: s.lineNumber,
    };
    rows.push(row);
    byKey.set(stepKey(s), row);
  }
  for (const r of records) {
    const s = stepOf(r);
    if (s === undefined) {
      rows.push({ ...blank(r), step: "unreadable", what: `record unreadable: ${"unreadable" in r ? r.unreadable : ""}`, status: "unknown" });
      continue;
    }
    const archived = byKey.get(stepKey(s));
    if (archived) {
      archived.inStack = true;
      continue;
    }
    rows.push({
      ...blank(r),
      ...stepFields(s),
      status: r.unfinished ? `${s.status} (${r.unfinished})` : s.status,
    });
  }
  return rows.sort((a, b) => (a.completedAt || a.startedAt || "~").localeCompare(b.completedAt || b.startedAt || "~") || a.entry.localeCompare(b.entry));
}

/** The columns a ledger line and a stack record fill alike, from their step. */
function stepFields(s: Step): Pick<AuditRow, "step" | "what" | "displayName" | "email" | "userId" | "accountType" | "transferTo" | "transferToId" | "status" | "taskId" | "startedAt" | "completedAt" | "reason" | "evidence" | "portal" | "actor"> {
  return {
    step: s.step,
    what: describeStep(s),
    displayName: s.person.displayName,
    email: s.person.email,
    userId: s.person.userId,
    accountType: s.person.accountType,
    transferTo: s.transferTo ?? "",
    transferToId: s.transferToId ?? "",
    status: s.status,
    taskId: s.taskId,
    startedAt: s.startedAt ?? "",
    completedAt: s.completedAt ?? "",
    reason: s.reason ?? "",
    evidence: s.evidence,
    portal: s.portal,
    actor: s.actor ? [s.actor.displayName, s.actor.email, s.actor.userId].filter(Boolean).join(" ") : "",
  };
}

function blank(r: StackRecord): AuditRow {
  return {
    source: "stack",
    inStack: true,
    stack: r.stack,
    project: r.project,
    entry: r.entry,
    step: "unreadable",
    what: "",
    displayName: "",
    email: "",
    userId: "",
    accountType: "",
    transferTo: "",
    transferToId: "",
    status: "",
    taskId: "",
    startedAt: "",
    completedAt: "",
    reason: "",
    evidence: "",
    portal: "",
    actor: "",
    archivedAt: "",
  };
}

/**
 * The rows about one person, named by email (any letter case) or DocSpace id: those naming them,
 * and every other row about the same account (an entry by id whose record knows the email, and
 * the other way round).
 */
export function rowsAbout(rows: readonly AuditRow[], person: string): AuditRow[] {
  const q = person.trim().toLowerCase();
  const ids = new Set<string>([q]);
  const emails = new Set<string>([q]);
  for (const r of rows) {
    if ([r.userId, r.email, r.entry].some((v) => v.toLowerCase() === q)) {
      if (r.userId !== "") ids.add(r.userId.toLowerCase());
      if (r.email !== "") emails.add(r.email.toLowerCase());
    }
  }
  return rows.filter((r) => ids.has(r.userId.toLowerCase()) || emails.has(r.email.toLowerCase()) || ids.has(r.entry.toLowerCase()) || emails.has(r.entry.toLowerCase()));
}
