/**
 * `pulumi-docspace archive` and `audit` (provider/history/) against a real `pulumi stack export`
 * (test/fixtures/history/stack-export.json, made by make-export.mjs with the real CLI): what is
 * archived and what never is, the ledger only growing, the file keeping its comments, the audit
 * finding a person by email and by id, and no request to the portal, ever.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fromDist, KEYS, ROOT, runCommand, startSimulator, USERS, type Simulator } from "./helpers";
import type * as ArchiveModule from "../provider/history/archive";
import type * as ExportModule from "../provider/history/stack-export";
import type * as LedgerFileModule from "../provider/history/ledger-file";
import type * as RenderModule from "../provider/history/audit-render";
import type * as FileEditModule from "../provider/history/file-edit";

const history = {
  ...(fromDist("provider/history/archive.js") as typeof ArchiveModule),
  ...(fromDist("provider/history/stack-export.js") as typeof ExportModule),
  ...(fromDist("provider/history/ledger-file.js") as typeof LedgerFileModule),
  ...(fromDist("provider/history/audit-render.js") as typeof RenderModule),
  ...(fromDist("provider/history/file-edit.js") as typeof FileEditModule),
};

const BIN = join(ROOT, "dist/provider/cli/bin.js");
const FIXTURES = join(ROOT, "test/fixtures/history");
const FILE_TEXT = readFileSync(join(FIXTURES, "offboarding.yaml"), "utf8");

type ExportJson = { version: number; deployment: { resources: Array<{ urn: string; type: string; id?: string; inputs?: Record<string, unknown>; outputs?: Record<string, unknown>; initErrors?: string[] }>; pending_operations?: unknown[] } };
/** The real export, as if the stack's config named offboarding.yaml in the project folder (the fixture names a temporary path). */
function fixture(): ExportJson {
  const e = JSON.parse(readFileSync(join(FIXTURES, "stack-export.json"), "utf8")) as ExportJson;
  const provider = e.deployment.resources.find((r) => r.type === "pulumi:providers:pulumi-nodejs")!;
  provider.inputs!["docspace:offboardingFile"] = provider.outputs!["docspace:offboardingFile"] = "offboarding.yaml";
  return e;
}

const REMOVAL = "pulumi-nodejs:dynamic/docspace:UserRemoval";
const TRANSFER = "pulumi-nodejs:dynamic/docspace:DataTransfer";
const MARK = "9924256a-739c-462b-af15-e652a3b1b6eb";
const ERASED = ["jane.doe@example.com", "nora.north@example.com", MARK, "gone.gary@example.com"];

function record(e: ExportJson, type: string, entry: string): ExportJson["deployment"]["resources"][number] {
  const r = e.deployment.resources.find((x) => x.type === type && x.urn.endsWith(`::${entry}`));
  if (!r) throw new Error(`no ${type} ${entry} in the fixture`);
  return r;
}

/** The export after `pulumi up` dropped these entries' records. */
function without(e: ExportJson, entries: string[]): ExportJson {
  return { ...e, deployment: { ...e.deployment, resources: e.deployment.resources.filter((r) => !entries.some((n) => r.urn.endsWith(`::${n}`))) } };
}

/** A project folder with the offboarding file (and an export written to state.json). */
function project(text = FILE_TEXT): { dir: string; file: string; ledger: string; state: (e: ExportJson) => string } {
  const dir = mkdtempSync(join(tmpdir(), "history-"));
  const file = join(dir, "offboarding.yaml");
  writeFileSync(file, text);
  return {
    dir,
    file,
    ledger: join(dir, "offboarding.ledger.jsonl"),
    state: (e) => {
      const p = join(dir, `state-${Math.random().toString(36).slice(2)}.json`);
      writeFileSync(p, JSON.stringify(e, null, 2));
      return p;
    },
  };
}

function archiveApi(p: ReturnType<typeof project>, e: ExportJson, now = new Date("2027-01-05T10:00:00Z")): ArchiveModule.ArchiveResult {
  return history.archive({
    file: p.file,
    fileLabel: "offboarding.yaml",
    ledger: p.ledger,
    ledgerLabel: "offboarding.ledger.jsonl",
    exported: history.parseStackExport(JSON.stringify(e), "state.json"),
    source: "--state state.json",
    projectDir: p.dir,
    dryRun: false,
    now,
    tool: "test",
  });
}

const read = (path: string): string => { try { return readFileSync(path, "utf8"); } catch { return ""; } }; // prettier-ignore

let s: Simulator;
beforeAll(async () => {
  s = await startSimulator();
});
afterAll(async () => s.stop());

/** The command line, with a portal and a key in the environment it must never use. */
const cli = (cwd: string, args: string[]) =>
  runCommand(process.execPath, [BIN, ...args], { cwd, env: { ...process.env, DOCSPACE_URL: s.url, DOCSPACE_API_KEY: KEYS.owner, PATH: "/nonexistent" } });

describe("pulumi-docspace archive", () => {
  it("archives the finished, proved entries with their proof, takes them out of the file keeping every other line, and makes no request to the portal", async () => {
    const p = project();
    const before = s.requests().length;
    const r = await cli(p.dir, ["archive", "--state", p.state(fixture())]);
    expect(r.code, r.out).toBe(0);
    expect(s.requests().length).toBe(before); // not a single request, with a portal and a key at hand
    expect(r.out).not.toContain(KEYS.owner);
    expect(r.stdout).toMatch(/^Archived 4 entries \(6 steps\) from stack prod into offboarding\.ledger\.jsonl \(lines 1-7\):/);
    expect(r.stdout).toContain("DocSpace was not contacted.");
    for (const who of ERASED) expect(r.stdout).toMatch(new RegExp(`^  ${who.replace(/\./g, "\\.")} \\(.*proof: GET people/`, "m"));
    // The others stay, each with why.
    expect(r.stdout).toMatch(/^  guest\.gail@example\.com: a disable is not an erasure.*\[offboarding\.yaml:18\]$/m);
    expect(r.stdout).toMatch(/^  paul\.park@example\.com: a transfer that keeps the profile is not an erasure/m);

    // The file: the archived entries (and the comments right above them) are gone; every other line is as it was.
    const after = readFileSync(p.file, "utf8");
    expect(after).toBe(
      [
        "# yaml-language-server: $schema=./offboarding.schema.json",
        "# The file that went with stack-export.json (make-export.mjs), with comments of the kind people write.",
        "version: 1",
        "removals:",
        "",
        "  - email: guest.gail@example.com       # paused, may come back",
        "    action: disable",
        '    reason: "contract paused, HR-1270"',
        "  - email: paul.park@example.com",
        "    action: transfer",
        "    transferTo: team.lead@example.com",
        '    reason: "moved team, HR-1280"',
        "# end of list",
        "",
      ].join("\n"),
    );

    // The ledger: one line per step, then the line that closes the run; everything an audit needs.
    const lines = read(p.ledger).trimEnd().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => [l.kind, l.entry ?? null, l.step ?? null])).toEqual([
      ["step", "jane.doe@example.com", "remove"],
      ["step", "nora.north@example.com", "transfer"],
      ["step", MARK, "disable"],
      ["step", MARK, "keep"],
      ["step", MARK, "transfer"],
      ["step", "gone.gary@example.com", "recorded"],
      ["archive", null, null],
    ]);
    expect(lines[0]).toMatchObject({
      format: "pulumi-docspace/offboarding-ledger",
      v: 1,
      seq: 1,
      prev: null,
      stack: "prod",
      project: "docspace-offboarding",
      record: { type: "UserRemoval", urn: "urn:pulumi:prod::docspace-offboarding::pulumi-nodejs:dynamic/docspace:UserRemoval::jane.doe@example.com", id: USERS.jane },
      person: { userId: USERS.jane, email: "jane.doe@example.com", displayName: "Jane Doe", accountType: "User" },
      taskId: `1_${USERS.jane}_RemoveProgressItem`,
      status: "Completed",
      reason: "left 2026-11-20, HR-1234",
      evidence: expect.stringMatching(new RegExp(`^GET people/${USERS.jane} at http://127\\.0\\.0\\.1:\\d+: 404 "The user could not be found"$`)),
      actor: null,
      file: { path: "offboarding.yaml", line: 6 },
    });
    expect(lines[1]).toMatchObject({ transferTo: "team.lead@example.com", transferToId: USERS.teamLead, prev: expect.stringMatching(/^sha256:[0-9a-f]{64}$/) });
    expect(lines[6]).toMatchObject({ kind: "archive", steps: 6, entries: ERASED, leaving: ERASED, source: expect.stringMatching(/^--state /), offboardingFile: "offboarding.yaml" });
    // Nothing of the key or the stack's config.
    expect(read(p.ledger)).not.toMatch(/apiKey|ciphertext|__provider/);
  });

  it("never archives a record that is not finished, or not proved, and says why for each", () => {
    const cases: Array<[string, (e: ExportJson) => void, RegExp]> = [
      ["Running", (e) => Object.assign(record(e, REMOVAL, "jane.doe@example.com").outputs!, { status: "Running", percentage: 40, completedAt: undefined, evidence: undefined }), /still running at DocSpace .*40%/],
      ["Unconfirmed", (e) => Object.assign(record(e, REMOVAL, "jane.doe@example.com").outputs!, { status: "Unconfirmed", evidence: undefined }), /Unconfirmed/],
      ["Failed", (e) => Object.assign(record(e, REMOVAL, "jane.doe@example.com").outputs!, { status: "Failed", error: "quota", evidence: undefined }), /failed in DocSpace \(quota\)/],
      ["Canceled", (e) => Object.assign(record(e, REMOVAL, "jane.doe@example.com").outputs!, { status: "Canceled", evidence: undefined }), /canceled in DocSpace/],
      ["Completed without proof", (e) => void delete record(e, REMOVAL, "jane.doe@example.com").outputs!.evidence, /Completed without DocSpace's proof/],
      ["Completed with an empty proof", (e) => Object.assign(record(e, REMOVAL, "jane.doe@example.com").outputs!, { evidence: "  " }), /Completed without DocSpace's proof/],
      ["a step that failed part-way", (e) => Object.assign(record(e, REMOVAL, "jane.doe@example.com"), { initErrors: ["DocSpace is throttling this key"] }), /failed part-way \(DocSpace is throttling/],
      [
        "an interrupted create",
        (e) => Object.assign(e.deployment, { pending_operations: [{ resource: { urn: record(e, REMOVAL, "jane.doe@example.com").urn }, type: "creating" }] }),
        /pending creating operation/,
      ],
      ["encrypted fields", (e) => Object.assign(record(e, REMOVAL, "jane.doe@example.com").outputs!, { status: { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", ciphertext: "v1:x" } }), /encrypted \(secret\) fields/],
      ["its transfer still running", (e) => Object.assign(record(e, TRANSFER, MARK).outputs!, { status: "Running", evidence: undefined }), /transfer is still running/],
    ];
    for (const [name, mutate, why] of cases) {
      const entry = name.startsWith("its transfer") || name.startsWith("a suspension") ? MARK : "jane.doe@example.com";
      const p = project();
      const e = fixture();
      mutate(e);
      const r = archiveApi(p, e);
      expect(r.archived.map((a) => a.entry), name).not.toContain(entry);
      expect(r.kept.find((k) => k.entry === entry)?.why, name).toMatch(why);
      expect(read(p.ledger), name).not.toContain(`"entry":"${entry}"`);
      expect(readFileSync(p.file, "utf8"), name).toContain(entry);
    }
  });

  it("the ledger only grows: a later archive appends after byte-identical lines, and archiving again archives nothing new", async () => {
    const p = project();
    // First run: only Jane is finished and proved.
    const early = fixture();
    for (const n of ["nora.north@example.com", MARK, "gone.gary@example.com"]) Object.assign(record(early, REMOVAL, n).outputs!, { status: "Running", evidence: undefined });
    const first = await cli(p.dir, ["archive", "--state", p.state(early)]);
    expect(first.code, first.out).toBe(0);
    const l1 = readFileSync(p.ledger);
    expect(l1.toString().trimEnd().split("\n")).toHaveLength(2);

    const second = await cli(p.dir, ["archive", "--state", p.state(fixture())]); // Jane's record is still in the stack (no `up` yet)
    expect(second.code, second.out).toBe(0);
    expect(second.stdout).toMatch(/^Archived 3 entries \(5 steps\)/);
    expect(second.stdout).toMatch(/Already in offboarding\.ledger\.jsonl; the records leave the stack at the next `pulumi up`:\n  jane\.doe@example\.com\n/);
    const l2 = readFileSync(p.ledger);
    expect(l2.subarray(0, l1.length).equals(l1)).toBe(true);
    expect(l2.length).toBeGreaterThan(l1.length);
    const closing = JSON.parse(l2.toString().trimEnd().split("\n").pop()!) as { leaving: string[]; entries: string[] };
    expect(closing.entries).toEqual(["nora.north@example.com", MARK, "gone.gary@example.com"]);
    expect(closing.leaving).toEqual(["nora.north@example.com", MARK, "gone.gary@example.com", "jane.doe@example.com"]);

    const fileAfter = readFileSync(p.file);
    const third = await cli(p.dir, ["archive", "--state", p.state(fixture())]);
    expect(third.code, third.out).toBe(0);
    expect(third.stdout).toMatch(/^Nothing new to archive from stack prod; offboarding\.ledger\.jsonl is unchanged\./);
    expect(readFileSync(p.ledger).equals(l2)).toBe(true);
    expect(readFileSync(p.file).equals(fileAfter)).toBe(true);
  });

  it("refuses a ledger that is not whole (a changed, removed or cut line, a newer version), naming the line, and writes nothing", async () => {
    const p = project();
    expect(archiveApi(p, fixture()).archived).toHaveLength(4);
    const good = readFileSync(p.ledger, "utf8");
    const lines = good.trimEnd().split("\n");
    const tampered: Array<[string, string, RegExp]> = [
      ["a changed line", good.replace("left 2026-11-20, HR-1234", "left 2026-11-21, HR-1234"), /offboarding\.ledger\.jsonl:2: does not follow the line before it/],
      ["a removed line", [lines[0], ...lines.slice(2)].join("\n") + "\n", /offboarding\.ledger\.jsonl:2: says it is line 3/],
      ["the closing line removed", lines.slice(0, -1).join("\n") + "\n", /offboarding\.ledger\.jsonl:1: an archive run starts here and was never closed/],
      ["a cut last line", good.slice(0, -20), /offboarding\.ledger\.jsonl:7: the last line has no newline/],
      ["not JSON", good + "oops\n", /offboarding\.ledger\.jsonl:8: not a JSON line/],
      ["a newer version", good + JSON.stringify({ ...JSON.parse(lines[0]!), v: 2 }) + "\n", /offboarding\.ledger\.jsonl:8: written by a newer pulumi-docspace/],
    ];
    for (const [name, text, message] of tampered) {
      writeFileSync(p.ledger, text);
      writeFileSync(p.file, FILE_TEXT);
      const r = await cli(p.dir, ["archive", "--state", p.state(fixture())]);
      expect(r.code, name).toBe(1);
      expect(r.out, name).toMatch(message);
      expect(r.out, name).toMatch(/restore it from git|Update pulumi-docspace/);
      expect(readFileSync(p.ledger, "utf8"), name).toBe(text);
      expect(readFileSync(p.file, "utf8"), name).toBe(FILE_TEXT);
    }
  });

  it("refuses an export of another stack: one whose docspace:offboardingFile is another file, or another stack than the ledger's", async () => {
    const p = project();
    const other = fixture();
    other.deployment.resources.find((r) => r.type === "pulumi:providers:pulumi-nodejs")!.inputs!["docspace:offboardingFile"] = "staging/offboarding.yaml";
    const r = await cli(p.dir, ["archive", "--state", p.state(other)]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/the stack's docspace:offboardingFile is staging\/offboarding\.yaml, not offboarding\.yaml: this stack does not apply offboarding\.yaml.*Nothing was written\./);
    expect(readFileSync(p.file, "utf8")).toBe(FILE_TEXT);
    expect(read(p.ledger)).toBe("");

    expect(archiveApi(p, without(fixture(), ["nora.north@example.com", MARK, "gone.gary@example.com"])).archived).toHaveLength(1);
    const ledger = read(p.ledger);
    const staging = JSON.parse(JSON.stringify(fixture()).replace(/urn:pulumi:prod::/g, "urn:pulumi:staging::")) as ExportJson;
    const again = await cli(p.dir, ["archive", "--state", p.state(staging)]);
    expect(again.code).toBe(1);
    expect(again.out).toMatch(/offboarding\.ledger\.jsonl line 2 archived stack docspace-offboarding\/prod; these records are of docspace-offboarding\/staging\. One ledger \(and file\) belongs to one stack: select the stack that applies offboarding\.yaml \(--stack prod\)/);
    expect(read(p.ledger)).toBe(ledger);
  });

  it("--dry-run says what it would archive and writes nothing", async () => {
    const p = project();
    const r = await cli(p.dir, ["archive", "--dry-run", "--state", p.state(fixture())]);
    expect(r.code, r.out).toBe(0);
    expect(r.stdout).toMatch(/^Would archive 4 entries/);
    expect(r.stdout).toContain("Dry run: nothing was written.");
    expect(read(p.ledger)).toBe("");
    expect(readFileSync(p.file, "utf8")).toBe(FILE_TEXT);
  });

  it("says what to do when the stack's records cannot be read: no pulumi CLI, a file that is not an export", async () => {
    const p = project();
    const noCli = await cli(p.dir, ["archive"]);
    expect(noCli.code).toBe(1);
    expect(noCli.out).toMatch(/the pulumi CLI is not on PATH.*--state <file>/);
    const notJson = join(p.dir, "notes.txt");
    writeFileSync(notJson, "hello");
    const bad = await cli(p.dir, ["archive", "--state", "notes.txt"]);
    expect(bad.code).toBe(1);
    expect(bad.out).toMatch(/notes\.txt is not JSON: give the output of `pulumi stack export`/);
    const usage = await cli(p.dir, ["archive", "--api-key", KEYS.owner]);
    expect(usage.code).toBe(2);
    expect(usage.out).toMatch(/there is no --api-key option/);
    expect(usage.out).not.toContain(KEYS.owner);
    expect(readFileSync(p.file, "utf8")).toBe(FILE_TEXT);
  });

  it("refuses a bad offboarding file with file:line:column, before writing anything", async () => {
    const p = project(FILE_TEXT.replace("    action: disable\n", "    action: disabel\n"));
    const r = await cli(p.dir, ["archive", "--state", p.state(fixture())]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/offboarding\.yaml:19:13: removals\[3\]\.action: must be disable, transfer or remove/);
    expect(read(p.ledger)).toBe("");
  });

  it("never copies the API key, even one stored in plain text in the stack's config", async () => {
    const p = project();
    const e = fixture();
    const provider = e.deployment.resources.find((r) => r.type === "pulumi:providers:pulumi-nodejs")!;
    provider.inputs!["docspace:apiKey"] = KEYS.owner;
    provider.outputs!["docspace:apiKey"] = KEYS.owner;
    const state = p.state(e);
    const archived = await cli(p.dir, ["archive", "--state", state]);
    const audit = await cli(p.dir, ["audit", "--format", "json", "--state", state]);
    expect(archived.code).toBe(0);
    expect(audit.code).toBe(0);
    for (const text of [archived.out, audit.out, read(p.ledger), readFileSync(p.file, "utf8")]) expect(text).not.toContain(KEYS.owner);
  });
});

describe("pulumi-docspace audit", () => {
  /** Three archives, one person each, then `pulumi up` dropped their records: only the ledger knows them. */
  async function threeArchives(): Promise<ReturnType<typeof project>> {
    const p = project();
    const order = ["jane.doe@example.com", "nora.north@example.com", MARK];
    for (const [i, who] of order.entries()) {
      const e = without(fixture(), order.slice(0, i)); // earlier ones left the stack at the up after their archive
      for (const other of order.slice(i + 1)) Object.assign(record(e, REMOVAL, other).outputs!, { status: "Running", evidence: undefined });
      Object.assign(record(e, REMOVAL, "gone.gary@example.com").outputs!, { status: "Running", evidence: undefined });
      const r = archiveApi(p, e, new Date(`2027-01-0${i + 1}T10:00:00Z`));
      expect(r.archived.map((a) => a.entry)).toEqual([who]);
    }
    return p;
  }

  it("finds a person removed two archives ago, by email (any letter case) and by id, after the entry left the file and the stack", async () => {
    const p = await threeArchives();
    expect(readFileSync(p.file, "utf8")).not.toContain("jane.doe@example.com");
    const state = p.state(without(fixture(), ["jane.doe@example.com", "nora.north@example.com", MARK]));
    const before = s.requests().length;
    for (const person of ["Jane.Doe@Example.com", USERS.jane]) {
      const r = await cli(p.dir, ["audit", "--format", "json", "--person", person, "--state", state]);
      expect(r.code, r.out).toBe(0);
      const out = JSON.parse(r.stdout) as { rows: Array<Record<string, unknown>>; person: string; notes: string[] };
      expect(out.rows).toEqual([
        expect.objectContaining({
          source: "ledger",
          inStack: false,
          entry: "jane.doe@example.com",
          step: "remove",
          what: "removed (data and profile)",
          displayName: "Jane Doe",
          email: "jane.doe@example.com",
          userId: USERS.jane,
          status: "Completed",
          startedAt: "2026-12-07T17:47:30.181Z",
          completedAt: "2026-12-07T17:47:30.487Z",
          reason: "left 2026-11-20, HR-1234",
          evidence: expect.stringMatching(/^GET people\/9de154e5-.*: 404/),
          portal: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
          actor: null,
          archivedAt: "2027-01-01T10:00:00.000Z",
          ledgerLine: 1,
        }),
      ]);
      expect(out.notes.join(" ")).toMatch(/do not store the API key's account/);
    }
    expect(s.requests().length).toBe(before);
  });

  it("lists every removal, transfer and disable from the ledger and the stack, each once, in csv, md and json", async () => {
    const p = await threeArchives();
    const state = p.state(without(fixture(), ["jane.doe@example.com", "nora.north@example.com"])); // Mark's records are still in the stack
    const csv = await cli(p.dir, ["audit", "--format", "csv", "--state", state]);
    expect(csv.code, csv.out).toBe(0);
    const rows = parseCsv(csv.stdout);
    expect(rows[0]).toEqual(["source", "stack", "entry", "what", "step", "status", "name", "email", "user_id", "account_type", "transfer_to", "transfer_to_id", "task_id", "started_at", "completed_at", "reason", "proof", "portal", "done_by", "archived_at", "ledger_line"]);
    const col = (name: string): number => rows[0]!.indexOf(name);
    const body = rows.slice(1);
    expect(body.map((r) => `${r[col("entry")]} ${r[col("step")]} ${r[col("source")]}`).sort()).toEqual(
      [
        "jane.doe@example.com remove ledger",
        "nora.north@example.com transfer ledger",
        `${MARK} disable ledger (record still in the stack)`,
        `${MARK} keep ledger (record still in the stack)`,
        `${MARK} transfer ledger (record still in the stack)`,
        "gone.gary@example.com recorded stack",
        "guest.gail@example.com disable stack",
        "paul.park@example.com disable stack",
        "paul.park@example.com keep stack",
      ].sort(),
    );
    const gary = body.find((r) => r[col("entry")] === "gone.gary@example.com")!;
    expect(gary[col("status")]).toBe("Completed"); // finished, not archived yet: from the stack
    const md = await cli(p.dir, ["audit", "--state", state]);
    expect(md.stdout).toMatch(/^# Offboarding audit\n/);
    expect(md.stdout).toMatch(/\| Jane Doe \(jane\.doe@example\.com\) \| 9de154e5-f51b-4e3f-bdfe-9c01099a96ae \| removed \(data and profile\) \| .* \| ledger line 1 \|$/m);
    const json = await cli(p.dir, ["audit", "--format", "json", "--ledger-only"]);
    expect((JSON.parse(json.stdout) as { rows: unknown[] }).rows).toHaveLength(5);
  });

  it("says who did a step still in the stack: the key's account its record names (done_by), and nothing for a record that names none", async () => {
    const p = project();
    const e = fixture();
    Object.assign(record(e, REMOVAL, "gone.gary@example.com").outputs!, { actorId: USERS.owner, actorEmail: "owner@example.com" });
    const json = await cli(p.dir, ["audit", "--format", "json", "--state", p.state(e)]);
    expect(json.code, json.out).toBe(0);
    const rows = (JSON.parse(json.stdout) as { rows: Array<Record<string, unknown>> }).rows;
    const actorOf = (entry: string): unknown => rows.find((r) => r.entry === entry)?.actor;
    expect(actorOf("gone.gary@example.com")).toBe(`owner@example.com ${USERS.owner}`);
    expect(actorOf("guest.gail@example.com")).toBeNull(); // the JSON says "nobody recorded", not an empty name
  });

  it("escapes CSV and markdown: quotes, commas, line breaks, formulas, pipes and HTML in portal or file text", () => {
    expect(history.csvField('left, "HR-1"\nsecond line')).toBe('"left, ""HR-1""\nsecond line"');
    expect(history.csvField("=HYPERLINK(\"http://x\")")).toBe("\"'=HYPERLINK(\"\"http://x\"\")\"");
    expect(history.csvField("+1")).toBe("'+1");
    expect(history.csvField("@SUM(A1)")).toBe("'@SUM(A1)");
    expect(history.csvField("plain")).toBe("plain");
    expect(history.mdCell("a | b <script>\n| c")).toBe("a \\| b &lt;script&gt; \\| c");
    expect(history.mdCell("x".repeat(1000)).length).toBeLessThanOrEqual(300);
    const row = { ...blankRow(), displayName: '=cmd|" /c calc"!A0', reason: "a,b\r\nc" };
    const text = history.renderCsv([row]);
    expect(parseCsv(text)[1]![6]).toBe(`'=cmd|" /c calc"!A0`);
    expect(parseCsv(text)[1]![15]).toBe("a,b\r\nc");
  });

  it("says so when nobody matches, and refuses a format it does not know", async () => {
    const p = project();
    const r = await cli(p.dir, ["audit", "--ledger-only", "--person", "nobody@example.com"]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/0 steps about nobody@example\.com .*nothing about this person in the ledger or the stack/);
    const bad = await cli(p.dir, ["audit", "--format", "xml", "--ledger-only"]);
    expect(bad.code).toBe(2);
    expect(bad.out).toMatch(/--format must be csv, md or json/);
  });
});

describe("taking entries out of the file", () => {
  it("keeps comments, blank lines, quoting and spacing of everything else; an emptied list becomes removals: []", () => {
    const text = ["version: 1", "removals:   # the list", "  - email: a@example.com", "    reason: 'x'", "  - email: b@example.com # keep", "", "  # c's comment", "  - email: c@example.com", ""].join("\n");
    const one = history.withoutEntries(text, new Set(["c@example.com"]), "f.yaml");
    expect(one.text).toBe(["version: 1", "removals:   # the list", "  - email: a@example.com", "    reason: 'x'", "  - email: b@example.com # keep", ""].join("\n"));
    const all = history.withoutEntries(text, new Set(["a@example.com", "b@example.com", "c@example.com"]), "f.yaml");
    expect(all.text).toBe(["version: 1", "removals: [] # the list", ""].join("\n"));
    expect(all.removed.map((r) => r.line)).toEqual([3, 5, 8]);
  });

  it("refuses an inline list rather than rewriting it", () => {
    expect(() => history.withoutEntries("version: 1\nremovals: [{email: a@example.com}]\n", new Set(["a@example.com"]), "f.yaml")).toThrow(/written inline/);
  });
});

function blankRow(): Parameters<typeof history.renderCsv>[0][number] {
  return {
    source: "stack", inStack: true, stack: "s", project: "p", entry: "e", step: "remove", what: "", displayName: "", email: "", userId: "", accountType: "", transferTo: "", transferToId: "", status: "",
    taskId: "", startedAt: "", completedAt: "", reason: "", evidence: "", portal: "", actor: "", archivedAt: "",
  }; // prettier-ignore
}

/** A strict RFC 4180 reader, to check what a spreadsheet would see. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (field += '"'), i++;
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") row.push(field), (field = "");
    else if (c === "\r" && text[i + 1] === "\n") {
      row.push(field), rows.push(row), (row = []), (field = ""), i++;
    } else field += c;
  }
  if (field !== "" || row.length > 0) row.push(field), rows.push(row);
  return rows;
}
