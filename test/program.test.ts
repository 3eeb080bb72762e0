/**
 * The real offboarding program under Pulumi's runtime mocks: real closure serialization of the
 * providers, type tokens and inputs as declared. The program looks at the portal (the simulator)
 * before it declares anything.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { hostModule, KEYS, lifecycle, offboardingFileWith, program, ROOT, startSimulator, usePortal, type Simulator } from "./helpers";

let s: Simulator;
beforeAll(async () => {
  s = await startSimulator();
});
afterAll(async () => s.stop());
beforeEach(() => usePortal(s.url, KEYS.owner));


const ENTRIES = [
  "  - email: Jane.Doe@example.com\n    reason: HR-1\n",
  "  - id: 9924256a-739c-462b-af15-e652a3b1b6eb\n    transferTo: team.lead@example.com\n",
  "  - email: admin.bob@example.com\n    allowAdmin: true\n",
];

describe("the offboarding program", () => {
  it("declares one docspace:UserRemoval per entry, with the entry's inputs and a serialized provider", async () => {
    const file = offboardingFileWith(`version: 1\ndefaults:\n  transferTo: archive@example.com\nremovals:\n${ENTRIES.join("")}`);
    const declared = await lifecycle.declareResources(() => program.defineOffboarding({ file }));
    // Registration is asynchronous: put them back in file order.
    const order = ["jane.doe@example.com", "9924256a-739c-462b-af15-e652a3b1b6eb", "admin.bob@example.com"];
    const resources = [...declared.resources].sort((x, y) => order.indexOf(x.name) - order.indexOf(y.name));
    expect(resources.map((r) => r.type)).toEqual(Array(3).fill("pulumi-nodejs:dynamic/docspace:UserRemoval"));
    expect(resources.map((r) => r.name)).toEqual(["jane.doe@example.com", "9924256a-739c-462b-af15-e652a3b1b6eb", "admin.bob@example.com"]);
    const inputs = resources.map(({ inputs: { __provider, fileCheck, ...rest } }) => rest);
    // The look's word to each check: the accounts it found (not stored; the create reads afresh).
    expect(resources.map((r) => (r.inputs.fileCheck as { userId?: string } | undefined)?.userId)[1]).toBe("9924256a-739c-462b-af15-e652a3b1b6eb");
    expect(resources.every((r) => typeof (r.inputs.fileCheck as { successorId?: string } | undefined)?.successorId === "string")).toBe(true);
    expect(inputs).toEqual([
      { email: "jane.doe@example.com", transferTo: "archive@example.com", reason: "HR-1" },
      { userId: "9924256a-739c-462b-af15-e652a3b1b6eb", transferTo: "team.lead@example.com" },
      { email: "admin.bob@example.com", transferTo: "archive@example.com", allowAdmin: true },
    ]);
    const text = String(resources[0]!.inputs.__provider);
    expect(text).toContain('"pulumi-docspace/dispatch"');
  });

  it("names resources after the account, so reordering or inserting entries changes nothing", async () => {
    const a = offboardingFileWith(`version: 1\nremovals:\n${ENTRIES.join("")}`);
    const b = offboardingFileWith(`version: 1\nremovals:\n${ENTRIES[2]}  - email: new.person@example.com\n${ENTRIES[0]}${ENTRIES[1]}`);
    const first = await lifecycle.declareResources(() => program.defineOffboarding({ file: a }));
    const second = await lifecycle.declareResources(() => program.defineOffboarding({ file: b }));
    const byName = (rs: typeof first.resources) => new Map(rs.map((r) => [r.urn, r.inputs]));
    const before = byName(first.resources);
    const after = byName(second.resources);
    expect(before.size).toBe(ENTRIES.length);
    expect(after.size).toBe(ENTRIES.length + 1);
    for (const [urn, inputs] of before) expect(after.get(urn)).toEqual(inputs);
    expect([...after.keys()].filter((u) => !before.has(u))).toEqual([hostModule.urnFor("pulumi-nodejs:dynamic/docspace:UserRemoval", "new.person@example.com")]);
  });

  it("exports exactly accounts, totals and offboardingFile (impact only in a preview with a plan), not every resource's state", async () => {
    const file = offboardingFileWith(`version: 1\nremovals:\n${ENTRIES[0]}${ENTRIES[1]}`);
    const { result } = await lifecycle.declareResources(() => program.defineOffboarding({ file }));
    const out = result as Awaited<ReturnType<typeof program.defineOffboarding>>;
    expect(Object.keys(out).sort()).toEqual(["accounts", "offboardingFile", "totals"]);
    expect(Object.keys(out.accounts)).toEqual(["jane.doe@example.com", "9924256a-739c-462b-af15-e652a3b1b6eb"]);
    const totals = await new Promise((resolve) => out.totals.apply(resolve));
    expect(totals).toEqual({ total: 2, Unknown: 2 }); // under mocks no status exists yet
    const previewed = await lifecycle.declareResources(() => program.defineOffboarding({ file }), { preview: true });
    expect(Object.keys(previewed.result as object).sort()).toEqual(["accounts", "impact", "offboardingFile", "totals"]);
  });

  it("refuses the whole run, declaring nothing and writing nothing, when more removals would start than docspace:maxRemovalsPerRun; the advice names one number", async () => {
    const file = offboardingFileWith(`version: 1\nremovals:\n${ENTRIES.join("")}`);
    const warnings: string[] = [];
    const original = console.warn;
    console.warn = (msg: string) => warnings.push(msg);
    const writes = s.writes().length;
    let refused: Error | undefined;
    let declared: unknown[] = [];
    try {
      await lifecycle.declareResources(() => program.defineOffboarding({ file }), { config: { "docspace:maxRemovalsPerRun": "2" } }).then(
        (d) => (declared = d.resources),
        (e: Error) => (refused = e),
      );
    } finally {
      console.warn = original;
    }
    expect(declared).toEqual([]);
    expect(s.writes().length).toBe(writes);
    expect(refused?.message).toMatch(/3 removals would start in this run, more than docspace:maxRemovalsPerRun \(2\)/);
    expect(refused?.message).toContain("pulumi config set docspace:maxRemovalsPerRun 3`");
    // One message, one number: no earlier warning with another count.
    expect(warnings.join("\n")).not.toMatch(/maxRemovalsPerRun/);
    expect(refused!.message.match(/maxRemovalsPerRun \d+/g)).toEqual(["maxRemovalsPerRun 3"]);
  });

  it("refuses a bad file before declaring anything", async () => {
    const file = offboardingFileWith("version: 2\nremovals: []\n");
    await expect(program.defineOffboarding({ file })).rejects.toThrow(/offboarding.yaml:1:10: version: must be 1/);
  });

  it("refuses to run without a portal to look at, naming the setting", async () => {
    const file = offboardingFileWith(`version: 1\nremovals:\n${ENTRIES[0]}`);
    usePortal("", "");
    await expect(lifecycle.declareResources(() => program.defineOffboarding({ file }))).rejects.toThrow(/The DocSpace portal URL is not set\. Set docspace:url/);
    usePortal(s.url, "");
    await expect(lifecycle.declareResources(() => program.defineOffboarding({ file }))).rejects.toThrow(/The DocSpace API key is not set/);
  });

  it("reads docspace:offboardingFile relative to the project directory", async () => {
    const { resources } = await lifecycle.declareResources(() => program.defineOffboarding({ baseDir: ROOT }), { config: { "docspace:offboardingFile": "examples/offboarding/offboarding.yaml" } });
    expect(resources.length).toBeGreaterThan(0);
  });

  it("declares a SelfDeleteRequest as docspace:SelfDeleteRequest", async () => {
    const { pkg } = await import("./helpers");
    const { resources } = await lifecycle.declareResources(() => new pkg.SelfDeleteRequest("me", { trigger: "t1" }));
    expect(resources).toEqual([expect.objectContaining({ type: "pulumi-nodejs:dynamic/docspace:SelfDeleteRequest", name: "me", inputs: expect.objectContaining({ trigger: "t1" }) })]);
  });
});
