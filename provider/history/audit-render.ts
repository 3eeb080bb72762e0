/**
 * The audit's rows as CSV (RFC 4180, safe to open in a spreadsheet), markdown, or JSON. Portal
 * text was bounded when it was read (steps.ts); here it is also made harmless for each format.
 */
import { boundLine } from "../docspace/errors";
import type { AuditRow } from "./audit";

export const FORMATS = ["csv", "md", "json"] as const;
export type AuditFormat = (typeof FORMATS)[number];

export interface AuditMeta {
  generatedAt: string;
  person?: string;
  /** Where the rows came from, for people: the ledger's path, the stack (or "not read"). */
  ledger: string;
  stack: string;
}

/** What the records do not say, printed with every export. */
export const ACTOR_NOTE = "The stack's records do not store the API key's account that ran each step, so the 'done by' column is empty: the key's account is the one that created the key configured for the stack (docspace:apiKey) at the time.";

const COLUMNS: Array<[string, (r: AuditRow) => string]> = [
  ["source", (r) => (r.source === "ledger" ? (r.inStack ? "ledger (record still in the stack)" : "ledger") : "stack")],
  ["stack", (r) => `${r.project}/${r.stack}`],
  ["entry", (r) => r.entry],
  ["what", (r) => r.what],
  ["step", (r) => r.step],
  ["status", (r) => r.status],
  ["name", (r) => r.displayName],
  ["email", (r) => r.email],
  ["user_id", (r) => r.userId],
  ["account_type", (r) => r.accountType],
  ["transfer_to", (r) => r.transferTo],
  ["transfer_to_id", (r) => r.transferToId],
  ["task_id", (r) => r.taskId],
  ["started_at", (r) => r.startedAt],
  ["completed_at", (r) => r.completedAt],
  ["reason", (r) => r.reason],
  ["proof", (r) => r.evidence],
  ["portal", (r) => r.portal],
  ["done_by", (r) => r.actor],
  ["archived_at", (r) => r.archivedAt],
  ["ledger_line", (r) => (r.ledgerLine !== undefined ? String(r.ledgerLine) : "")],
];

/**
 * One CSV field: quoted when it holds a comma, quote or line break (quotes doubled); a field a
 * spreadsheet would run as a formula (=, +, -, @, tab, CR first) gets a leading apostrophe.
 */
export function csvField(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function renderCsv(rows: readonly AuditRow[]): string {
  const lines = [COLUMNS.map(([h]) => h).join(","), ...rows.map((r) => COLUMNS.map(([, f]) => csvField(f(r))).join(","))];
  return lines.map((l) => `${l}\r\n`).join("");
}

/** A markdown table cell: one line, bounded, no table or HTML syntax. */
export function mdCell(value: string, max = 300): string {
  return boundLine(value, max).replace(/\\/g, "\\\\").replace(/\|/g, "\\|").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

export function renderMarkdown(rows: readonly AuditRow[], meta: AuditMeta): string {
  const title = meta.person !== undefined ? `Offboarding audit for ${mdCell(meta.person, 320)}` : "Offboarding audit";
  const head = [
    `# ${title}`,
    "",
    `Generated ${meta.generatedAt} from the ledger ${mdCell(meta.ledger)} and the stack ${mdCell(meta.stack)}. ${rows.length} step${rows.length === 1 ? "" : "s"}.`,
    "",
    `_${ACTOR_NOTE}_`,
    "",
  ];
  if (rows.length === 0) return [...head, meta.person !== undefined ? "Nothing about this person in the ledger or the stack." : "Nothing in the ledger or the stack.", ""].join("\n");
  const table = [
    "| Person | Id | What | Started | Completed | Status | Reason | Proof | Portal | Done by | Where |",
    "|---|---|---|---|---|---|---|---|---|---|---|",
    ...rows.map((r) => {
      const person = r.displayName !== "" ? `${r.displayName} (${r.email || r.entry})` : r.email || r.entry;
      const where = r.source === "ledger" ? `ledger line ${r.ledgerLine ?? "?"}${r.inStack ? " (record still in the stack)" : ""}` : `stack ${r.project}/${r.stack}`;
      return `| ${[person, r.userId, r.what, r.startedAt, r.completedAt, r.status, r.reason, r.evidence, r.portal, r.actor || "not recorded", where].map((c) => mdCell(c)).join(" | ")} |`;
    }),
  ];
  return [...head, ...table, ""].join("\n");
}

export function renderJson(rows: readonly AuditRow[], meta: AuditMeta): string {
  return `${JSON.stringify(
    {
      format: "pulumi-docspace/audit",
      v: 1,
      generatedAt: meta.generatedAt,
      ...(meta.person !== undefined ? { person: meta.person } : {}),
      sources: { ledger: meta.ledger, stack: meta.stack },
      notes: [ACTOR_NOTE],
      rows: rows.map((r) => ({ ...r, actor: r.actor === "" ? null : r.actor })),
    },
    null,
    2,
  )}\n`;
}

export function renderAudit(format: AuditFormat, rows: readonly AuditRow[], meta: AuditMeta): string {
  switch (format) {
    case "csv":
      return renderCsv(rows);
    case "md":
      return renderMarkdown(rows, meta);
    case "json":
      return renderJson(rows, meta);
  }
}
