/**
 * The archive routine end to end without the CLI: the real program under Pulumi's mocks and the
 * real serialized providers in Pulumi's own provider host (tools/lifecycle.ts), against the
 * simulator. Offboard three people, archive (from an export of the stack's records), preview
 * (each archived record leaves the stack; the program says nothing happens at DocSpace), up (the
 * records are dropped: not a single write, no request about those people), add one more, and
 * find the archived people in the audit. An entry listed again after its archive is refused
 * before any request.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HOST_ENV, hostModule, KEYS, lifecycle, program, ROOT, runCommand, startSimulator, usePortal, type Simulator } from "./helpers";
import type { StackState } from "../tools/lifecycle";

const BIN = join(ROOT, "dist/provider/cli/bin.js");
const TODAY = "2027-02-01";
const LEAD = "team.lead@example.com";

let s: Simulator;
beforeAll(async () => {
  s = await startSimulator();
});
afterAll(async () => s.stop());

type Host = Awaited<ReturnType<typeof hostModule.ProviderHost.start>>;

/** One provider host per run, as the engine starts one per `pulumi preview` or `up`. */
async function withHost<T>(body: (host: Host) => Promise<T>): Promise<T> {
  usePortal(s.url, KEYS.owner);
  const host = await hostModule.ProviderHost.start({ cwd: ROOT, env: { ...HOST_ENV } });
  try {
    await host.configure({ "docspace:url": s.url, "docspace:apiKey": KEYS.owner, "docspace:today": TODAY });
    return await body(host);
  } finally {
    await host.stop();
  }
}

/** The program on this file, as the language host runs it; what it logged. */
async function declare(file: string, preview: boolean): Promise<{ resources: Awaited<ReturnType<typeof lifecycle.declareResources>>["resources"]; log: string }> {
  const lines: string[] = [];
  const original = console.log;
  console.log = (...args: unknown[]) => lines.push(args.map(String).join(" "));
  try {
    const { resources } = await lifecycle.declareResources(() => program.defineOffboarding({ file }), { preview, config: { "docspace:today": TODAY } });
    return { resources, log: lines.join("\n") };
  } finally {
    console.log = original;
  }
}

/** `pulumi stack export` of the harness's state, in the shape the CLI writes (version 3). */
function exportOf(state: StackState): string {
  return JSON.stringify({
    version: 3,
    deployment: {
      manifest: { time: new Date().toISOString(), magic: "", version: "v3.248.0" },
      resources: [...state.values()].map((e) => ({ urn: e.urn, custom: true, id: e.id, type: e.type, inputs: e.inputs, outputs: e.outputs, ...(e.initErrors ? { initErrors: e.initErrors } : {}) })),
    },
  });
}

describe("archive, then the next preview and up (program and provider host, no CLI)", () => {
  it("drops the archived records without a single request about those people, says so per entry in the preview, and the audit still finds them", async () => {
    const dir = mkdtempSync(join(tmpdir(), "history-program-"));
    const file = join(dir, "offboarding.yaml");
    const ann = s.portal.addUser({ email: "ann.archive@example.com" });
    const ben = s.portal.addUser({ email: "ben.archive@example.com" });
    const cid = s.portal.addUser({ email: "cid.archive@example.com" });
    writeFileSync(
      file,
      [
        "version: 1",
        "removals:",
        "  # Ann left in January.",
        "  - email: ann.archive@example.com",
        '    reason: "left 2027-01-15, HR-2001"',
        "  - email: ben.archive@example.com",
        `    transferTo: ${LEAD}`,
        '    reason: "left 2027-01-20, HR-2002"',
        `  - id: ${cid.id}`,
        "    action: transfer",
        `    transferTo: ${LEAD}`,
        "    removeAfter: 2027-01-31",
        '    reason: "contract ended, HR-2003"',
        "",
      ].join("\n"),
    );
    const state: StackState = new Map();

    // 1. Offboard three people.
    const first = await withHost(async (host) => lifecycle.up(host, (await declare(file, false)).resources, state));
    expect(first.refused).toEqual([]);
    expect(first.steps.every((st) => st.ok), JSON.stringify(first.steps)).toBe(true);
    for (const u of [ann, ben, cid]) expect(s.portal.liveUser(u.id)).toBeUndefined();
    expect(state.size).toBe(5); // ann, ben; cid's suspension, transfer and removal

    // 2. Archive: reads the export, the ledger and the file; not the portal.
    const stateFile = join(dir, "state.json");
    writeFileSync(stateFile, exportOf(state));
    const before = s.requests().length;
    const archived = await runCommand(process.execPath, [BIN, "archive", "--state", stateFile], { cwd: dir, env: { ...process.env, DOCSPACE_URL: s.url, DOCSPACE_API_KEY: KEYS.owner } });
    expect(archived.code, archived.out).toBe(0);
    expect(s.requests().length).toBe(before);
    expect(archived.stdout).toMatch(/^Archived 3 entries \(5 steps\) from stack dev into offboarding\.ledger\.jsonl \(lines 1-6\):/);
    expect(readFileSync(file, "utf8")).toBe("version: 1\nremovals: []\n");
    const ledger = readFileSync(join(dir, "offboarding.ledger.jsonl"), "utf8");

    // 3. The preview: each archived record leaves the stack; the program says why and that nothing happens at DocSpace.
    const preview = await withHost(async (host) => {
      const from = s.requests().length;
      const { resources, log } = await declare(file, true);
      const plan = await lifecycle.preview(host, resources, state);
      return { plan, log, requests: s.requests().slice(from) };
    });
    expect(preview.plan.map((st) => `${st.kind} ${st.type.split(":").pop()} ${st.name}`).sort()).toEqual(
      [
        "delete UserRemoval ann.archive@example.com",
        "delete UserRemoval ben.archive@example.com",
        `delete AccountSuspension ${cid.id}`,
        `delete DataTransfer ${cid.id}`,
        `delete UserRemoval ${cid.id}`,
      ].sort(),
    );
    const day = new Date().toISOString().slice(0, 10);
    for (const name of ["ann.archive@example.com", "ben.archive@example.com", cid.id]) {
      expect(preview.log).toContain(`${name}: archived in ${join(dir, "offboarding.ledger.jsonl")} on ${day}; its record leaves the stack in this run if it is still there; nothing happens at DocSpace`);
    }
    expect(preview.requests.filter((r) => r.method !== "GET")).toEqual([]);

    // 4. The up drops the records: no write, and no request about any of the three.
    const up = await withHost(async (host) => {
      const from = s.requests().length;
      const result = await lifecycle.up(host, (await declare(file, false)).resources, state);
      return { result, requests: s.requests().slice(from) };
    });
    expect(up.result.steps.map((st) => `${st.kind} ${st.ok}`)).toEqual(Array(5).fill("delete true"));
    expect(state.size).toBe(0);
    expect(up.requests.filter((r) => r.method !== "GET")).toEqual([]);
    expect(up.requests.filter((r) => [ann.id, ben.id, cid.id, ann.email, ben.email].some((x) => `${r.path}${decodeURIComponent(r.query)}${JSON.stringify(r.body ?? "")}`.includes(x)))).toEqual([]);

    // 5. Add one more person: offboarded as usual; the ledger is untouched by runs.
    const dan = s.portal.addUser({ email: "dan.archive@example.com" });
    writeFileSync(file, "version: 1\nremovals:\n  - email: dan.archive@example.com\n    reason: HR-2004\n");
    const more = await withHost(async (host) => lifecycle.up(host, (await declare(file, false)).resources, state));
    expect(more.steps.map((st) => `${st.kind} ${st.name} ${st.ok}`)).toEqual(["create dan.archive@example.com true"]);
    expect(s.portal.liveUser(dan.id)).toBeUndefined();
    expect(readFileSync(join(dir, "offboarding.ledger.jsonl"), "utf8")).toBe(ledger);

    // 6. The audit: the archived people from the ledger (their records are gone from the stack), Dan from the stack.
    writeFileSync(stateFile, exportOf(state));
    for (const person of ["Ann.Archive@example.com", ann.id]) {
      const r = await runCommand(process.execPath, [BIN, "audit", "--format", "csv", "--person", person, "--state", stateFile], { cwd: dir });
      expect(r.code, r.out).toBe(0);
      const lines = r.stdout.trimEnd().split("\r\n");
      expect(lines).toHaveLength(2);
      expect(lines[1]).toMatch(new RegExp(`^ledger,docspace-offboarding/dev,ann\\.archive@example\\.com,removed \\(data and profile\\),remove,Completed,.*,${ann.id},.*"left 2027-01-15, HR-2001","GET people/${ann.id} at http://127\\.0\\.0\\.1:\\d+: 404 ""The user could not be found""",http://127\\.0\\.0\\.1:\\d+,olivia\\.owner@example\\.com 61c229b6-86da-4524-8bce-682165b3cdb7,\\d{4}-`));
    }
    const all = await runCommand(process.execPath, [BIN, "audit", "--format", "json", "--state", stateFile], { cwd: dir });
    const rows = (JSON.parse(all.stdout) as { rows: Array<{ entry: string; step: string; source: string }> }).rows;
    expect(rows.map((r) => `${r.source} ${r.entry} ${r.step}`).sort()).toEqual(
      ["ledger ann.archive@example.com remove", "ledger ben.archive@example.com transfer", `ledger ${cid.id} disable`, `ledger ${cid.id} keep`, `ledger ${cid.id} transfer`, "stack dan.archive@example.com remove"].sort(),
    );
  }, 180_000);

  it("refuses an entry the ledger shows erased, by email or by id, before any request, and says what to do", async () => {
    const dir = mkdtempSync(join(tmpdir(), "history-relisted-"));
    const file = join(dir, "offboarding.yaml");
    const eve = s.portal.addUser({ email: "eve.archive@example.com" });
    writeFileSync(file, "version: 1\nremovals:\n  - email: eve.archive@example.com\n");
    const state: StackState = new Map();
    await withHost(async (host) => lifecycle.up(host, (await declare(file, false)).resources, state));
    writeFileSync(join(dir, "state.json"), exportOf(state));
    expect((await runCommand(process.execPath, [BIN, "archive", "--state", "state.json"], { cwd: dir })).code).toBe(0);

    for (const [entry, advice] of [
      ["  - email: Eve.Archive@example.com\n", /If this is the same person, delete the entry \(the ledger keeps the proof\)\. If a new account now has this address, name it by its id/],
      [`  - id: ${eve.id}\n    transferTo: ${LEAD}\n`, /That account no longer exists: delete the entry \(the ledger keeps the proof\)\./],
    ] as const) {
      writeFileSync(file, `version: 1\nremovals:\n  - email: someone.else@example.com\n${entry}`);
      usePortal(s.url, KEYS.owner);
      const from = s.requests().length;
      const refused = await lifecycle.declareResources(() => program.defineOffboarding({ file }), { config: { "docspace:today": TODAY } }).then(
        () => undefined,
        (e: Error) => e,
      );
      expect(s.requests().length).toBe(from);
      expect(refused?.message).toMatch(new RegExp(`offboarding\\.yaml: an entry names an account that .*offboarding\\.ledger\\.jsonl shows erased; nothing was done:\\n  .*offboarding\\.yaml:4: .* was removed on \\d{4}-\\d{2}-\\d{2} \\(.*offboarding\\.ledger\\.jsonl line 1, DocSpace id ${eve.id}\\)\\.`));
      expect(refused?.message).toMatch(advice);
      expect(refused?.message).toMatch(/run it again\.$/);
    }
  }, 120_000);
});
