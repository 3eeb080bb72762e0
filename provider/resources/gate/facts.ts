/**
 * The gate's reads: one fact at a time, as decide.ts asks for it, each read fresh under the
 * freshness rules of docspace/account-reads.ts (a step never decides from what an earlier check saw). The
 * profile, when a removal's task reports Completed, is read afresh and judged (outcome.ts); an
 * answer that proves nothing either way throws, as it is no fact to decide on.
 */
import type { DocSpaceClient } from "../../docspace/client";
import { keyAccount, keyScopes, lookUp } from "../../docspace/account-reads";
import { successorRef, targetRef, type FactName, type Facts, type RemovalAsk, type Situation } from "./decide";
import { proveGone } from "./outcome";

/** The facts with `fact` read. */
export async function readFact(client: DocSpaceClient, ask: RemovalAsk, sit: Situation, facts: Facts, fact: FactName): Promise<Facts> {
  switch (fact) {
    case "key": {
      const [caller, scopes] = await Promise.all([keyAccount(client), keyScopes(client)]);
      return { ...facts, key: { caller, scopes } };
    }
    case "target": {
      // The program's look hands over what its own search found a moment ago, when it did.
      const found = sit.kind === "preview-file" ? sit.found : undefined;
      return { ...facts, target: found ?? (await lookUp(client, targetRef(ask, sit))) };
    }
    case "successor":
      return { ...facts, successor: await lookUp(client, successorRef(ask.transferTo ?? "")) };
    case "tasks": {
      const id = targetId(facts);
      const [remove, reassign] = await Promise.all([client.removeProgress(id), client.reassignProgress(id)]);
      return { ...facts, tasks: { remove, reassign } };
    }
    case "profile":
      return { ...facts, profile: await proveGone(client, targetId(facts)) };
  }
}

function targetId(facts: Facts): string {
  if (!facts.target?.found) throw new Error("the gate asked for the target's tasks or profile before finding the target");
  return facts.target.user.id;
}
