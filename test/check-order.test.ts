/**
 * The verdicts do not depend on the order in which the engine checks resources. The real program
 * declares a file's resources (with the stack's records, as the engine gives them to it); the real
 * serialized providers check and diff them in Pulumi's own dynamic-provider host, once in file
 * order and once in reverse order, each in a fresh host as each run gets one. Every check's
 * failures and every step's plan must be the same. What one entry depends on (its own transfer)
 * is its input; what a run has seen across entries lives in the host's context, passed to every
 * method; so nothing is inferred from which check happened to run first.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KEYS, lifecycle, program, startSimulator, usePortal, type Simulator , startHostFor, type Host } from "./helpers";

type State = Parameters<typeof lifecycle.up>[2];
type Declared = Awaited<ReturnType<typeof lifecycle.declareResources>>["resources"];

const BEFORE = "2030-01-05";
const DUE = "2030-01-10";
const LATER = "2030-01-20";

let s: Simulator;
const dir = mkdtempSync(join(tmpdir(), "check-order-"));
const file = join(dir, "offboarding.yaml");

beforeAll(async () => {
  s = await startSimulator({ taskDurationMs: 200 });
  usePortal(s.url, KEYS.owner); // the program's whole-file look reads the portal from the environment, as in CI
});
afterAll(async () => s?.stop());

const host = (day: string): Promise<Host> => startHostFor(s, KEYS.owner, { "docspace:today": day });

async function declare(lines: string[], day: string, state: State): Promise<Declared> {
  writeFileSync(file, `version: 1\nremovals:\n${lines.join("")}`);
  const { resources } = await lifecycle.declareResources(() => program.defineOffboarding({ file }), { config: { "docspace:today": day }, stored: state });
  return resources;
}

/** Each resource's step as the preview plans it, by name and type: its kind, and the reasons it was refused. */
async function plan(day: string, resources: Declared, state: State): Promise<Record<string, string>> {
  const h = await host(day);
  try {
    const steps = await lifecycle.preview(h, resources, state);
    return Object.fromEntries(steps.map((x) => [`${x.name} ${x.type.split(":").pop()}`, [x.kind, ...(x.failures ?? []).map((f) => `${f.property}: ${f.reason}`), ...(x.replaces ?? [])].join(" | ")]));
  } finally {
    await h.stop();
  }
}

const entry = (fields: Record<string, string | number>): string =>
  `  - ${Object.entries(fields)
    .map(([k, v]) => `${k}: ${v}`)
    .join("\n    ")}\n`;

describe("the order the engine checks resources in", () => {
  it("changes no check's failures and no step's plan: in file order and in reverse, every entry gets the same verdict", async () => {
    const state: State = new Map();
    // Jane's transfer outlives its timeoutSeconds: on her removal's due day it is still running.
    s.portal.options.taskDurationMs = 60_000;
    const jane = entry({ email: "jane.doe@example.com", action: "transfer", transferTo: "team.lead@example.com", removeAfter: DUE, timeoutSeconds: 1 });
    const h = await host(BEFORE);
    try {
      await lifecycle.up(h, await declare([jane], BEFORE, state), state);
    } finally {
      await h.stop();
    }
    expect([...state.values()].find((e) => e.type.endsWith("DataTransfer"))?.outputs).toMatchObject({ status: "Running" });

    const file = [
      jane, // due today, behind its own transfer, still running
      entry({ email: "nora.north@example.com" }), // a plain removal
      entry({ email: "mark.lee@example.com", action: "disable" }),
      entry({ email: "john.smith@example.com", transferTo: "archive@example.com" }), // a removal handing its data over
      entry({ email: "suspended.sam@example.com", removeAfter: LATER }), // not due: suspended only
    ];
    // File order: the entries as written, each entry's steps in the order they run.
    const emails = file.map((e) => /email: (\S+)/.exec(e)![1]);
    const steps = ["AccountSuspension", "DataTransfer", "UserRemoval"];
    const rank = (r: Declared[number]): number => emails.indexOf(r.name) * 10 + steps.indexOf(r.type.split(":").pop()!);
    const resources = (await declare(file, DUE, state)).sort((a, b) => rank(a) - rank(b));
    expect(resources.map((r) => `${r.name} ${r.type.split(":").pop()}`)).toEqual([
      "jane.doe@example.com AccountSuspension",
      "jane.doe@example.com DataTransfer",
      "jane.doe@example.com UserRemoval",
      "nora.north@example.com UserRemoval",
      "mark.lee@example.com AccountSuspension",
      "john.smith@example.com UserRemoval",
      "suspended.sam@example.com AccountSuspension",
    ]);
    const writesBefore = s.writes().length;
    const inFileOrder = await plan(DUE, resources, state);
    const inReverse = await plan(DUE, [...resources].reverse(), state);
    expect(inReverse).toEqual(inFileOrder);
    // And what they are: nothing refused; Jane's removal waits behind her own transfer in either order.
    expect(inFileOrder).toEqual({
      "jane.doe@example.com AccountSuspension": "update",
      "jane.doe@example.com DataTransfer": "update",
      "jane.doe@example.com UserRemoval": "create",
      "nora.north@example.com UserRemoval": "create",
      "mark.lee@example.com AccountSuspension": "create",
      "john.smith@example.com UserRemoval": "create",
      "suspended.sam@example.com AccountSuspension": "create",
    });
    expect(s.writes().slice(writesBefore), "a preview writes nothing").toEqual([]);
    s.portal.options.taskDurationMs = 200;
  });
});
