/**
 * The real offboarding program under Pulumi's runtime mocks: real closure serialization of the
 * providers, type tokens and inputs as declared.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { hostModule, lifecycle, program, ROOT } from "./helpers";

function fileWith(body: string): string {
  const dir = mkdtempSync(join(tmpdir(), "offboarding-"));
  const path = join(dir, "offboarding.yaml");
  writeFileSync(path, body);
  return path;
}

const ENTRIES = [
  "  - email: Jane.Doe@example.com\n    reason: HR-1\n",
  "  - id: 9924256a-739c-462b-af15-e652a3b1b6eb\n    transferTo: team.lead@example.com\n",
  "  - email: admin.bob@example.com\n    allowAdmin: true\n",
];

describe("the offboarding program", () => {
  it("declares one docspace:UserRemoval per entry, with the entry's inputs and a serialized provider", async () => {
    const file = fileWith(`version: 1\ndefaults:\n  transferTo: archive@example.com\nremovals:\n${ENTRIES.join("")}`);
    const declared = await lifecycle.declareResources(() => program.defineOffboarding({ file }));
    // Registration is asynchronous: put them back in file order.
    const order = ["jane.doe@example.com", "9924256a-739c-462b-af15-e652a3b1b6eb", "admin.bob@example.com"];
    const resources = [...declared.resources].sort((x, y) => order.indexOf(x.name) - order.indexOf(y.name));
    expect(resources.map((r) => r.type)).toEqual(Array(3).fill("pulumi-nodejs:dynamic/docspace:UserRemoval"));
    expect(resources.map((r) => r.name)).toEqual(["jane.doe@example.com", "9924256a-739c-462b-af15-e652a3b1b6eb", "admin.bob@example.com"]);
    const inputs = resources.map(({ inputs: { __provider, ...rest } }) => rest);
    expect(inputs).toEqual([
      { email: "jane.doe@example.com", transferTo: "archive@example.com", reason: "HR-1" },
      { userId: "9924256a-739c-462b-af15-e652a3b1b6eb", transferTo: "team.lead@example.com" },
      { email: "admin.bob@example.com", transferTo: "archive@example.com", allowAdmin: true },
    ]);
    const text = String(resources[0]!.inputs.__provider);
    expect(text).toContain('require("pulumi-docspace/dist/provider/resources/user-removal-impl.js")');
  });

  it("names resources after the account, so reordering or inserting entries changes nothing", async () => {
    const a = fileWith(`version: 1\nremovals:\n${ENTRIES.join("")}`);
    const b = fileWith(`version: 1\nremovals:\n${ENTRIES[2]}  - email: new.person@example.com\n${ENTRIES[0]}${ENTRIES[1]}`);
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

  it("exports per-account outcomes and totals by status", async () => {
    const file = fileWith(`version: 1\nremovals:\n${ENTRIES[0]}${ENTRIES[1]}`);
    const { result } = await lifecycle.declareResources(() => program.defineOffboarding({ file }));
    const out = result as ReturnType<typeof program.defineOffboarding>;
    expect(Object.keys(out.accounts)).toEqual(["jane.doe@example.com", "9924256a-739c-462b-af15-e652a3b1b6eb"]);
    const totals = await new Promise((resolve) => out.totals.apply(resolve));
    expect(totals).toEqual({ total: 2, Unknown: 2 }); // under mocks no status exists yet
  });

  it("warns up front when the file lists more accounts than one run may start", async () => {
    const file = fileWith(`version: 1\nremovals:\n${ENTRIES.join("")}`);
    const warnings: string[] = [];
    const original = console.warn;
    console.warn = (msg: string) => warnings.push(msg);
    try {
      await lifecycle.declareResources(() => program.defineOffboarding({ file }), { config: { "docspace:maxRemovalsPerRun": "2" } });
    } finally {
      console.warn = original;
    }
    expect(warnings.join("\n")).toMatch(/has 3 removals due and docspace:maxRemovalsPerRun is 2.*pulumi config set docspace:maxRemovalsPerRun 3/);
  });

  it("refuses a bad file before declaring anything", () => {
    const file = fileWith("version: 2\nremovals: []\n");
    expect(() => program.defineOffboarding({ file })).toThrow(/offboarding.yaml:1:10: version: must be 1/);
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
