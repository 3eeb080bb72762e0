/**
 * The one gate in front of every irreversible step: reads the facts a step depends on (facts.ts),
 * as the pure decision (decide.ts) asks for them, then puts its reasons into words (reasons.ts).
 * The facts: the key's account and rights, the target and that it is the person asked for, its
 * role and status, the successor, and any task of either kind under way for the target, whoever
 * started it. Every caller names its situation (a preview, a start, a resume of a stored record);
 * what differs between situations is derived in decide.ts, so no caller can ask for a weaker gate
 * than its situation gets. Nothing here writes to the portal.
 */
import type { DocSpaceClient } from "../../docspace/client";
import type { TaskProgress } from "../../docspace/schemas";
import { decide, type Decision, type Facts, type Plan, type RemovalAsk, type Situation } from "./decide";
import { readFact } from "./facts";
import { sentence } from "./reasons";

export type { Plan, RemovalAsk, Situation, StoredRecord } from "./decide";

export interface Failure {
  property: string;
  reason: string;
}

/** The gate's decision, in words where it refuses or finds nothing. */
export type Verdict =
  | { kind: "refuse"; failures: Failure[] }
  | { kind: "gone"; proof: string }
  | { kind: "absent"; reason: string }
  | { kind: "start"; plan: Plan; waitsFor?: "own-transfer" }
  | { kind: "done"; plan: Plan; proof: string; task?: TaskProgress }
  | { kind: "adopt"; plan: Plan; task?: TaskProgress };

/** Every fact decide() can ask for is read at most once: a bound on the loop, not a rule. */
const MOST_READS = 5;

/** The decision, with the facts read as it asks for them. */
export async function decideWithReads(client: DocSpaceClient, ask: RemovalAsk, sit: Situation): Promise<Exclude<Decision, { kind: "read" }>> {
  let facts: Facts = { origin: client.origin };
  for (let reads = 0; ; reads++) {
    const decision = decide(ask, sit, facts);
    if (decision.kind !== "read") return decision;
    if (reads >= MOST_READS || facts[decision.fact] !== undefined) throw new Error(`the gate asked for ${decision.fact} again`);
    facts = await readFact(client, ask, sit, facts, decision.fact);
  }
}

/** Decides whether (and how) a step may go ahead, from facts read now. */
export async function assess(client: DocSpaceClient, ask: RemovalAsk, sit: Situation): Promise<Verdict> {
  return inWords(await decideWithReads(client, ask, sit));
}

/** A decision as the resources and the program take it: reasons as sentences. */
export function inWords(d: Exclude<Decision, { kind: "read" }>): Verdict {
  switch (d.kind) {
    case "refuse":
      return { kind: "refuse", failures: [{ property: d.property, reason: sentence(d.reason) }] };
    case "absent":
      return { kind: "absent", reason: sentence(d.reason) };
    default:
      return d;
  }
}
