/**
 * The offboarding file: every bad-file case with its line numbers (the hostile corpus under
 * test/hostile/), generated hostile input, defaults, and the JSON Schema kept in step with zod.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as pulumi from "@pulumi/pulumi";
import { KEYS, lifecycle, pkg, program, ROOT, startSimulator, usePortal, writesTo, type Simulator } from "./helpers";

const { parseOffboardingFile, parseOffboardingBytes, loadOffboardingFile, OffboardingFileError } = pkg;
type FileError = InstanceType<typeof OffboardingFileError>;

const CORPUS = join(__dirname, "hostile");
const expected = JSON.parse(readFileSync(join(CORPUS, "expected.json"), "utf8")) as Record<string, Array<{ line: number; message: string }>>;

function errorOf(fn: () => unknown): FileError {
  try {
    fn();
  } catch (e) {
    if (e instanceof OffboardingFileError) return e;
    throw e;
  }
  throw new Error("expected the file to be refused");
}

let s: Simulator;
beforeAll(async () => {
  s = await startSimulator();
  usePortal(s.url, KEYS.owner);
});
afterAll(async () => s.stop());

describe("the hostile corpus: each file gives its error, by line, and zero requests", () => {
  const files = readdirSync(CORPUS).filter((f) => f.endsWith(".yaml"));

  it("has an expectation for every file", () => {
    expect(files.sort()).toEqual(Object.keys(expected).sort());
  });

  for (const file of files) {
    it(file, async () => {
      const path = join(CORPUS, file);
      const e = errorOf(() => loadOffboardingFile(path));
      const want = expected[file]!;
      expect(e.issues.map((i) => i.line)).toEqual(want.map((w) => w.line));
      want.forEach((w, i) => expect(e.issues[i]!.message).toContain(w.message));
      for (const issue of e.issues) expect(e.message).toContain(`${path}:${issue.line}:${issue.column}: ${issue.message}`);
      // Through the real program: refused before any resource exists, so the portal hears nothing.
      const before = s.log.length;
      const refused = await lifecycle.declareResources(() => program.defineOffboarding({ file: path })).then(() => undefined, (err: unknown) => err as Error & { issues?: unknown });
      expect(pulumi.RunError.isInstance(refused)).toBe(true); // Pulumi prints its message without a stack trace
      expect(refused?.message).toBe(e.message);
      expect(refused?.issues).toEqual(e.issues);
      expect(s.log.length).toBe(before);
    });
  }
});

describe("generated hostile input", () => {
  it("refuses an alias bomb", () => {
    const lines = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (let i = 0; i < 9; i++) lines.push(`${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(9).fill(`*${String.fromCharCode(97 + i)}`).join(",")}]`);
    lines.push("version: 1", "removals: []");
    const e = errorOf(() => parseOffboardingFile(lines.join("\n"), "bomb.yaml"));
    expect(e.issues[0]!.message).toMatch(/aliases may expand at most/);
  });

  it("refuses a huge document before parsing it", () => {
    const e = errorOf(() => parseOffboardingBytes(Buffer.alloc(5 * 1024 * 1024, 0x20), "huge.yaml"));
    expect(e.message).toMatch(/huge.yaml:1:1: the file is \d+ bytes; the limit is/);
  });

  it("reports every problem, not just the first, sorted by line", () => {
    const text = "version: 1\nremovals:\n  - email: a@\n  - email: ok@example.com\n  - id: nope\n  - email: ok@example.com\n";
    const e = errorOf(() => parseOffboardingFile(text, "many.yaml"));
    expect(e.issues.map((i) => i.line)).toEqual([3, 5, 6]);
    expect(e.message).toContain("many.yaml has 3 problems; nothing was done");
  });

  it("a 10,000-entry file parses, and the per-run guard refuses it with zero writes", async () => {
    const entries = Array.from({ length: 10_000 }, (_, i) => `  - email: person${i}@example.com\n`).join("");
    const file = parseOffboardingFile(`version: 1\nremovals:\n${entries}`, "big.yaml");
    expect(file.removals).toHaveLength(10_000);
    expect(file.removals[9_999]!.line).toBe(10_002);
    for (let i = 0; i < 10_000; i++) s.portal.addUser({ email: `person${i}@example.com` });
    usePortal(s.url, KEYS.owner);
    const results = await Promise.all(file.removals.map((r) => pkg.userRemovalProvider.check!({}, { email: r.email })));
    const refused = results.filter((r) => (r.failures ?? []).length > 0);
    expect(refused).toHaveLength(10_000 - 20);
    expect(refused[0]!.failures![0]!.reason).toMatch(/Refusing to start more than 20 removals in one run/);
    expect(writesTo(s)).toEqual([]);
  });
});

describe("reading a good file", () => {
  it("applies defaults to entries that have none", () => {
    const file = parseOffboardingFile("version: 1\ndefaults:\n  transferTo: Archive@example.com\n  reason: HR\nremovals:\n  - email: a@example.com\n  - email: b@example.com\n    transferTo: team.lead@example.com\n", "d.yaml");
    expect(file.removals.map((r) => [r.transferTo, r.reason])).toEqual([["archive@example.com", "HR"], ["team.lead@example.com", "HR"]]);
  });

  it("reads the root offboarding.yaml: keeps allowAdmin per entry, lower-cases accounts and records lines", () => {
    const file = loadOffboardingFile(join(ROOT, "offboarding.yaml"));
    expect(file.removals[0]).toEqual({ email: "jane.doe@example.com", transferTo: "archive@example.com", action: "remove", allowAdmin: false, alreadyRemoved: false, reason: "left 2026-11-20, HR-1234", line: 6 });
    expect(file.removals[1]).toMatchObject({ id: "9924256a-739c-462b-af15-e652a3b1b6eb", transferTo: "team.lead@example.com" });
    expect(file.removals[2]).toMatchObject({ email: "admin.bob@example.com", allowAdmin: true });
  });

  it("accepts a byte-order mark and CRLF line ends", () => {
    const file = parseOffboardingFile("\ufeffversion: 1\r\nremovals:\r\n  - email: Jane.Doe@Example.com\r\n", "crlf.yaml");
    expect(file.removals).toEqual([{ email: "jane.doe@example.com", action: "remove", allowAdmin: false, alreadyRemoved: false, line: 3 }]);
  });

  it("accepts an empty removals list", () => {
    expect(parseOffboardingFile("version: 1\nremovals: []\n").removals).toEqual([]);
  });
});

describe("the editor JSON Schema", () => {
  it("offboarding.schema.json is what the zod schema generates (run `npm run schema` after changing it)", () => {
    const onDisk = JSON.parse(readFileSync(join(ROOT, "offboarding.schema.json"), "utf8")) as unknown;
    expect(onDisk).toEqual(pkg.offboardingJsonSchema());
  });

  it("describes the same keys the parser accepts", () => {
    const schema = pkg.offboardingJsonSchema() as { properties: Record<string, { items?: { properties: Record<string, unknown> } }>; additionalProperties: boolean };
    expect(Object.keys(schema.properties).sort()).toEqual(["$schema", "defaults", "removals", "version"]);
    expect(Object.keys(schema.properties.removals!.items!.properties).sort()).toEqual(["action", "allowAdmin", "alreadyRemoved", "email", "id", "keepProfile", "reason", "removeAfter", "timeoutSeconds", "transferTo"]);
    expect(schema.additionalProperties).toBe(false);
  });
});

describe("a successor who is also listed for removal", () => {
  it("is refused in the file, at the transferTo that names them (own or default)", () => {
    const own = errorOf(() =>
      parseOffboardingFile("version: 1\nremovals:\n  - email: jane.doe@example.com\n    transferTo: team.lead@example.com\n  - email: Team.Lead@example.com\n", "own.yaml"),
    );
    expect(own.issues).toEqual([{ line: 4, column: 17, message: expect.stringContaining("team.lead@example.com, who is also listed for offboarding") }]);
    const byDefault = errorOf(() =>
      parseOffboardingFile("version: 1\ndefaults:\n  transferTo: team.lead@example.com\nremovals:\n  - email: jane.doe@example.com\n  - email: team.lead@example.com\n    transferTo: archive@example.com\n", "defaults.yaml"),
    );
    expect(byDefault.issues.map((i) => [i.line, i.message.includes("also listed for offboarding")])).toEqual([[3, true]]);
  });
});
