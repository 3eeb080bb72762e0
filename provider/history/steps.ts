/**
 * One stack record as one step of history: the fields a ledger line and an audit row share, from
 * the record as the provider stored it. Portal text (names, DocSpace's answers) is bounded here.
 */
import { boundLine } from "../docspace/errors";
import type { StepKind, StepLine } from "./ledger-format";
import type { StackRecord } from "./stack-export";

/** A step line without the ledger's own fields (format, position, hash, archive run). */
export type Step = Omit<StepLine, "format" | "v" | "seq" | "prev" | "archive" | "archivedAt" | "file">;

/** A UTC time as the ledger writes it, or undefined for anything that is not a time. */
export function utcTime(value: string | undefined): string | undefined {
  if (value === undefined || value.trim() === "") return undefined;
  const t = Date.parse(value);
  return Number.isFinite(t) ? new Date(t).toISOString() : undefined;
}

const text = (v: string | undefined, max = 300): string => boundLine(v ?? "", max);

/** The step a readable record stands for; undefined for a record the provider could not read. */
export function stepOf(record: StackRecord): Step | undefined {
  if (record.state === undefined) return undefined;
  const common = { stack: record.stack, project: record.project, entry: record.entry, record: { type: record.type, urn: record.urn, id: record.id } };
  const person = { userId: text(record.state.userId, 100), email: text(record.state.email, 320), displayName: text(record.state.displayName), accountType: text(record.state.accountType, 40) };
  if (record.type === "AccountSuspension") {
    const s = record.state;
    const at = utcTime(s.disabledAt) ?? utcTime(s.disabledSince);
    return {
      ...common,
      kind: "step",
      step: "disable",
      person,
      taskId: "",
      status: s.status,
      ...(at ? { startedAt: at, completedAt: at } : {}),
      ...(s.reason !== undefined ? { reason: s.reason } : {}),
      portal: text(s.portal, 200),
      evidence: text(s.evidence, 500),
      actor: null,
    };
  }
  const s = record.state;
  const step: StepKind = s.mode;
  return {
    ...common,
    kind: "step",
    step,
    person,
    ...(s.transferTo !== undefined ? { transferTo: text(s.transferTo, 320) } : {}),
    ...(s.transferToId !== undefined ? { transferToId: text(s.transferToId, 100) } : {}),
    taskId: text(s.taskId, 200),
    status: s.status,
    ...(utcTime(s.startedAt) ? { startedAt: utcTime(s.startedAt) } : {}),
    ...(utcTime(s.completedAt) ? { completedAt: utcTime(s.completedAt) } : {}),
    ...(s.reason !== undefined ? { reason: s.reason } : {}),
    ...(record.removeAfter !== undefined ? { removeAfter: record.removeAfter } : {}),
    portal: text(s.portal, 200),
    evidence: text(s.evidence, 500),
    actor: s.actorId ? { userId: text(s.actorId, 100), ...(s.actorEmail ? { email: text(s.actorEmail, 320) } : {}) } : null,
  };
}

/** Words for a step, for people: "removed", "removed; data to team.lead@example.com", ... */
export function describeStep(s: Pick<Step, "step" | "transferTo" | "transferToId">): string {
  const to = s.transferTo ?? s.transferToId ?? "the successor";
  switch (s.step) {
    case "remove":
      return "removed (data and profile)";
    case "transfer":
      return `removed, data to ${to}`;
    case "recorded":
      return "recorded as already removed";
    case "keep":
      return `data transferred to ${to}, profile kept (disabled)`;
    case "disable":
      return "disabled";
  }
}
