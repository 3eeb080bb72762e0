/**
 * Who the ledger says was erased: its removal steps by DocSpace id and by email (any letter case),
 * for the program (an entry listed again), archive (the same) and the audit (a person asked for).
 */
import { ERASURES, type StepLine } from "./ledger-format";
import type { Ledger } from "./ledger-file";

export type Erasure = StepLine & { lineNumber: number };

export interface ErasureIndex {
  byId: ReadonlyMap<string, Erasure>;
  byEmail: ReadonlyMap<string, Erasure>;
  byEntry: ReadonlyMap<string, Erasure>;
}

export function indexErasures(ledger: Ledger): ErasureIndex {
  const byId = new Map<string, Erasure>();
  const byEmail = new Map<string, Erasure>();
  const byEntry = new Map<string, Erasure>();
  for (const s of ledger.steps) {
    if (!ERASURES.has(s.step)) continue;
    if (s.person.userId !== "") byId.set(s.person.userId.toLowerCase(), s);
    if (s.person.email !== "") byEmail.set(s.person.email.toLowerCase(), s);
    byEntry.set(s.entry.toLowerCase(), s);
  }
  return { byId, byEmail, byEntry };
}

/** The ledger's erasure of the account an entry names, if any: by id, or by email. */
export function erasureOf(index: ErasureIndex, entry: { email?: string; id?: string }): { erasure: Erasure; by: "id" | "email" } | undefined {
  if (entry.id !== undefined) {
    const e = index.byId.get(entry.id.toLowerCase()) ?? index.byEntry.get(entry.id.toLowerCase());
    return e ? { erasure: e, by: "id" } : undefined;
  }
  if (entry.email !== undefined) {
    const e = index.byEmail.get(entry.email.toLowerCase()) ?? index.byEntry.get(entry.email.toLowerCase());
    return e ? { erasure: e, by: "email" } : undefined;
  }
  return undefined;
}

/** The day a step completed, YYYY-MM-DD, for messages. */
export function dayOf(time: string | undefined): string {
  return time ? time.slice(0, 10) : "an unknown day";
}

/** What to tell someone whose file lists an account the ledger shows erased. */
export function relistedAdvice(found: { erasure: Erasure; by: "id" | "email" }, ledgerLabel: string): string {
  const e = found.erasure;
  const who = e.person.userId !== "" ? `DocSpace id ${e.person.userId}` : "id unknown";
  const what = e.step === "recorded" ? "was recorded as already removed" : "was removed";
  const base = `${what} on ${dayOf(e.completedAt)} (${ledgerLabel} line ${e.lineNumber}, ${who}).`;
  return found.by === "id"
    ? `${base} That account no longer exists: delete the entry (the ledger keeps the proof).`
    : `${base} If this is the same person, delete the entry (the ledger keeps the proof). If a new account now has this address, name it by its id (\`id: <its DocSpace id>\`) instead of its email.`;
}
