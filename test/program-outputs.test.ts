/**
 * What the program asks of each record, and what its stack outputs say (issue 23: memory per
 * resource). Pulumi's SDK keeps an Output of four promises per property of every resource, so the
 * program asks each record only for the fields its stack outputs read, and none for an entry
 * whose account DocSpace no longer has. The inputs, and so the checks and what is stored, are
 * the same either way. Under Pulumi's mocks, against the simulator.
 */
import * as pulumi from "@pulumi/pulumi";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { fromDist, KEYS, lifecycle, offboardingFileWith, program, startSimulator, usePortal, type Simulator } from "./helpers";
import type * as RemovalModule from "../provider/resources/user-removal/resource";
import type * as SuspensionModule from "../provider/resources/account-suspension/resource";

const removalModule = fromDist("provider/resources/user-removal/resource.js") as typeof RemovalModule;
const suspensionModule = fromDist("provider/resources/account-suspension/resource.js") as typeof SuspensionModule;

let s: Simulator;
beforeAll(async () => {
  s = await startSimulator();
});
afterAll(async () => s.stop());
beforeEach(() => usePortal(s.url, KEYS.owner));


type Outputs = Awaited<ReturnType<typeof program.defineOffboarding>>;
const value = <T>(o: pulumi.Output<T>): Promise<T> => new Promise((resolve) => o.apply(resolve));

describe("the program's stack outputs and the outputs it asks of each record", () => {
  it("an entry whose account DocSpace does not have is { action, notAtDocSpace } and counted in totals; the others carry their record's fields; the inputs are unchanged", async () => {
    const file = offboardingFileWith(
      [
        "version: 1",
        "removals:",
        "  - email: jane.doe@example.com",
        "    reason: HR-1",
        "  - email: left.long.ago@example.com",
        "    alreadyRemoved: true",
        "  - email: removed.earlier@example.com",
        "  - email: nora.north@example.com",
        "    action: disable",
        "",
      ].join("\n"),
    );
    const writes = s.writes().length;
    const { resources, result } = await lifecycle.declareResources(() => program.defineOffboarding({ file }));
    expect(s.writes().length).toBe(writes);
    const out = result as Outputs;
    expect(out.accounts["left.long.ago@example.com"]).toEqual({ action: "remove", notAtDocSpace: true });
    expect(out.accounts["removed.earlier@example.com"]).toEqual({ action: "remove", notAtDocSpace: true });
    const jane = out.accounts["jane.doe@example.com"]!;
    expect(Object.keys(jane).sort()).toEqual(["action", "completedAt", "mode", "startedAt", "status", "taskId"]);
    expect(pulumi.Output.isInstance(jane.status)).toBe(true);
    const nora = out.accounts["nora.north@example.com"]!;
    expect(Object.keys(nora).sort()).toEqual(["action", "disabledByStack", "status"]);
    // Under mocks no record has a status yet: the two read records are Unknown.
    expect(await value(out.totals)).toEqual({ total: 4, notAtDocSpace: 2, Unknown: 2 });
    // What is sent to the engine (and so checked and stored) does not depend on what is read back.
    const inputs = new Map(resources.map((r) => [`${r.type.split(":").pop()} ${r.name}`, (({ __provider, fileCheck, ...rest }) => rest)(r.inputs)]));
    expect(inputs.get("UserRemoval left.long.ago@example.com")).toEqual({ email: "left.long.ago@example.com", alreadyRemoved: true });
    expect(inputs.get("UserRemoval removed.earlier@example.com")).toEqual({ email: "removed.earlier@example.com" });
    expect(inputs.get("UserRemoval jane.doe@example.com")).toEqual({ email: "jane.doe@example.com", reason: "HR-1" });
    expect(inputs.get("AccountSuspension nora.north@example.com")).toEqual({ email: "nora.north@example.com" });
  });

  it("the resource classes expose every field of the record by default, and only those asked for otherwise, with the same inputs", async () => {
    const { resources, result } = await lifecycle.declareResources(() => {
      const full = new removalModule.UserRemoval("full@example.com", { email: "full@example.com", reason: "T-1", allowAdmin: undefined });
      const lean = new removalModule.UserRemoval("lean@example.com", { email: "lean@example.com", reason: "T-1", allowAdmin: undefined }, undefined, "UserRemoval", []);
      const some = new removalModule.DataTransfer("some@example.com", { email: "some@example.com", transferTo: "team.lead@example.com" }, undefined, ["status"]);
      const suspension = new suspensionModule.AccountSuspension("s@example.com", { email: "s@example.com" });
      const leanSuspension = new suspensionModule.AccountSuspension("t@example.com", { email: "t@example.com" }, undefined, ["disabledByStack"]);
      return { full, lean, some, suspension, leanSuspension };
    });
    const r = result as Record<string, pulumi.CustomResource & Record<string, unknown>>;
    for (const field of removalModule.USER_REMOVAL_OUTPUTS) expect(pulumi.Output.isInstance(r.full![field]), field).toBe(true);
    for (const field of removalModule.USER_REMOVAL_OUTPUTS.filter((f) => f !== "email" && f !== "reason")) expect(r.lean![field], field).toBeUndefined();
    expect(pulumi.Output.isInstance(r.some!.status)).toBe(true);
    expect(r.some!.taskId).toBeUndefined();
    for (const field of suspensionModule.ACCOUNT_SUSPENSION_OUTPUTS) expect(pulumi.Output.isInstance(r.suspension![field]), field).toBe(true);
    expect(r.leanSuspension!.status).toBeUndefined();
    expect(pulumi.Output.isInstance(r.leanSuspension!.disabledByStack)).toBe(true);
    const inputs = new Map(resources.map((x) => [x.name, (({ __provider, ...rest }) => rest)(x.inputs)]));
    expect(inputs.get("full@example.com")).toEqual({ email: "full@example.com", reason: "T-1" });
    expect(inputs.get("lean@example.com")).toEqual({ email: "lean@example.com", reason: "T-1" });
    expect(inputs.get("some@example.com")).toEqual({ email: "some@example.com", transferTo: "team.lead@example.com", keepProfile: true });
  });

  it("prints the line of every entry, many to a diagnostic message", async () => {
    const names = Array.from({ length: 5 }, (_, i) => `gone.${i}@example.com`);
    const file = offboardingFileWith(["version: 1", "removals:", ...names.map((n) => `  - email: ${n}\n    alreadyRemoved: true`), ""].join("\n"));
    const messages: string[] = [];
    const original = console.log;
    console.log = (...args: unknown[]) => void messages.push(args.map(String).join(" "));
    try {
      await lifecycle.declareResources(() => program.defineOffboarding({ file }));
    } finally {
      console.log = original;
    }
    const plan = messages.filter((m) => names.some((n) => m.includes(`${n} (remove)`)));
    expect(plan).toHaveLength(1);
    for (const n of names) expect(plan[0]).toContain(`${n} (remove): recorded as already removed (nothing is started)`);
  });
});
