/**
 * Issue 17: a run costs what it changes. Two facts make the cost of a stack flat in the number of
 * people it has already offboarded, each proved from the simulator's own request log:
 * - a finished (Completed) UserRemoval record whose inputs did not change costs no portal request
 *   in a preview (the engine's check and diff, through Pulumi's own dynamic-provider host);
 * - the program's whole-file look (preflight.ts) pays per page, not per entry, for entries whose
 *   accounts are gone.
 * No timings here: the figures themselves are `npm run bench`'s.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fromDist, hostModule, KEYS, lifecycle, program, REMOVAL_TYPE, serializedProviders, startSimulator, USERS, type Simulator , startHostFor, type Host } from "./helpers";
import type * as PreflightModule from "../provider/program/preflight";
import type * as ParseModule from "../provider/offboarding/parse";

type Props = Record<string, unknown>;

const preflight = fromDist("provider/program/preflight.js") as typeof PreflightModule;
const parse = fromDist("provider/offboarding/parse.js") as typeof ParseModule;

let s: Simulator;
let removalProvider: string;
const hosts: Host[] = [];
/** The host of the runs that made the records. */
let first: Host | undefined;

beforeAll(async () => {
  s = await startSimulator({ taskDurationMs: 100 });
  ({ removal: removalProvider } = await serializedProviders());
});
afterAll(async () => {
  for (const h of hosts) await h.stop();
  await s?.stop();
});

/** A provider host as the engine starts one for each run: a fresh process, configured from the stack. */
async function freshHost(): Promise<Host> {
  const h = await startHostFor(s, KEYS.owner, { "docspace:maxRemovalsPerRun": "1000" });
  hosts.push(h);
  return h;
}

const urn = (name: string): string => hostModule.urnFor(REMOVAL_TYPE, name);
const requestsSince = (mark: number): string[] => s.log.slice(mark).map((r) => `${r.method} ${r.route}`);

/** What a run may read once, whatever its records: who the key belongs to. Never per record. */
const PER_RUN_ROUTES = new Set(["GET people/@self", "GET keys/@self"]);

describe("a finished record costs nothing to preview", () => {
  type Made = { name: string; news: Props; inputs: Props; id: string; outputs: Props };

  /** The run that did it: check, then create; the engine stores the checked inputs and the create's outputs. */
  async function finished(inputsOf: (u: { id: string; email: string }) => Props): Promise<Made> {
    const u = s.portal.addUser({ email: `finished.${Math.random().toString(36).slice(2, 8)}@example.com` });
    const name = `finished-${u.id}`;
    const news = { ...inputsOf(u), __provider: removalProvider };
    first ??= await freshHost();
    const checked = await first.check(urn(name), undefined, news);
    expect(checked.failures).toEqual([]);
    const created = await first.create(urn(name), checked.inputs);
    expect(created.properties.status).toBe("Completed");
    expect(created.properties.evidence).toBeTruthy();
    return { name, news, inputs: checked.inputs, id: created.id, outputs: created.properties };
  }

  /** A preview's calls for one record: check(olds = stored inputs, news = the same), then diff(olds = stored outputs). */
  async function preview(h: Host, r: Made): Promise<string[]> {
    const mark = s.log.length;
    const rechecked = await h.check(urn(r.name), r.inputs, r.news);
    expect(rechecked.failures).toEqual([]);
    const diff = await h.diff(urn(r.name), r.id, r.outputs, rechecked.inputs);
    expect(diff.changes).toBe("none");
    return requestsSince(mark);
  }

  // For the transfer cases: an admin who stays.
  const successor = { email: "" };
  let warmUp: Made;
  beforeAll(async () => {
    successor.email = s.portal.addUser({ email: "stays.successor@example.com", type: "DocSpaceAdmin" }).email;
    warmUp = await finished((u) => ({ email: u.email }));
  });

  it.each([
    ["named by email", (u: { id: string; email: string }): Props => ({ email: u.email, reason: "HR-1" })],
    ["named by id", (u: { id: string; email: string }): Props => ({ userId: u.id })],
    ["handing its data to a successor", (u: { id: string; email: string }): Props => ({ email: u.email, transferTo: successor.email })],
    ["a transfer that kept the profile (DataTransfer)", (u: { id: string; email: string }): Props => ({ email: u.email, transferTo: successor.email, keepProfile: true })],
  ])("a Completed UserRemoval %s: check and diff with unchanged inputs make no request", async (_what, inputsOf) => {
    const record = await finished(inputsOf);
    // A later preview is a new engine run: a new host. Its first record may pay the run's own
    // reads (who the key is), nothing about the person; every record after it pays nothing.
    const later = await freshHost();
    const firstRecord = await preview(later, warmUp);
    expect(firstRecord.filter((r) => !PER_RUN_ROUTES.has(r)), "the first finished record of a preview reads nothing about people").toEqual([]);
    expect(await preview(later, record), "a later finished record of the same preview").toEqual([]);
  });
});

describe("the whole-file look pays per page, not per finished entry", () => {
  /** A file of `finished` entries whose accounts are gone (removed by earlier runs) and one person to remove now. */
  function fileWith(finished: number, tag: string): { text: string; live: string } {
    const lines = ["version: 1", "removals:"];
    for (let i = 0; i < finished; i++) {
      const u = s.portal.addUser({ email: `gone.${tag}.${i}@example.com` });
      u.removed = true;
      lines.push(`  - email: ${u.email}`);
    }
    const live = s.portal.addUser({ email: `leaving.${tag}@example.com` }).email;
    lines.push(`  - email: ${live}`);
    return { text: lines.join("\n") + "\n", live };
  }

  async function lookCost(finished: number, tag: string): Promise<{ requests: string[]; result: PreflightModule.PreflightResult }> {
    const { text } = fileWith(finished, tag);
    const file = parse.parseOffboardingFile(text, `${tag}.yaml`);
    const day = new Date().toISOString().slice(0, 10);
    const mark = s.log.length;
    const result = await preflight.preflightFile(file, { url: s.url, apiKey: KEYS.owner }, 1000, day);
    return { requests: requestsSince(mark), result };
  }

  it("10 and 200 entries whose accounts are gone cost the same requests, within one page", async () => {
    const small = await lookCost(10, "ten");
    const large = await lookCost(200, "twohundred");
    // Both looks did their job: the one person leaving is planned, nothing refused.
    for (const look of [small, large]) {
      expect(look.result.problems).toEqual([]);
      expect(look.result.newStarts).toBe(1);
    }
    // DocSpace pages people 100 at a time (count 1..100): 190 more entries may cost one more page, no more.
    const ONE_PAGE = 1;
    expect(
      large.requests.length,
      `10 finished: ${small.requests.length} requests; 200 finished: ${large.requests.length} (${summarise(large.requests)})`,
    ).toBeLessThanOrEqual(small.requests.length + ONE_PAGE);
  });
});

function summarise(requests: string[]): string {
  const m = new Map<string, number>();
  for (const r of requests) m.set(r, (m.get(r) ?? 0) + 1);
  return [...m].map(([k, v]) => `${k} ×${v}`).join(", ");
}

describe("the whole-file look does not bet on what DocSpace's unfiltered people list holds", () => {
  it("a disabled account listed for removal is planned (and counted by the guard) even when the unfiltered list leaves it out", async () => {
    const lines = ["version: 1", "removals:"];
    // Enough entries for the look to read the people list rather than search.
    for (let i = 0; i < 150; i++) {
      const u = s.portal.addUser({ email: `long.gone.address.number.${i}@example.com` });
      u.removed = true;
      lines.push(`  - email: ${u.email}`);
    }
    const disabled = s.portal.addUser({ email: "already.disabled.leaver@example.com", status: 2 });
    lines.push(`  - email: ${disabled.email}`);
    const file = parse.parseOffboardingFile(lines.join("\n") + "\n", "disabled.yaml");
    // A portal whose list without a status filter does not show this disabled account.
    s.inject({ route: "GET people/filter", kind: "respond", times: 1, response: { status: 200, body: JSON.stringify({ response: [], count: 0, total: 0, status: 0, statusCode: 200 }) } });
    const day = new Date().toISOString().slice(0, 10);
    try {
      const result = await preflight.preflightFile(file, { url: s.url, apiKey: KEYS.owner }, 0, day);
      expect(result.problems.join("\n")).toMatch(/1 removals would start in this run, more than docspace:maxRemovalsPerRun \(0\)/);
    } finally {
      s.clearFaults();
    }
  });
});

describe("a check reads nothing the program's whole-file look has just read", () => {
  it("previewing 30 new entries costs the look's requests, not one per entry more", async () => {
    const successorEmail = s.portal.addUser({ email: "checks.successor@example.com", type: "DocSpaceAdmin" }).email;
    const lines = ["version: 1", "removals:"];
    for (let i = 0; i < 20; i++) lines.push(`  - email: ${s.portal.addUser({ email: `checks.remove.${i}@example.com` }).email}`);
    for (let i = 0; i < 5; i++) lines.push(`  - email: ${s.portal.addUser({ email: `checks.disable.${i}@example.com` }).email}`, "    action: disable");
    for (let i = 0; i < 5; i++) lines.push(`  - email: ${s.portal.addUser({ email: `checks.transfer.${i}@example.com` }).email}`, "    action: transfer", `    transferTo: ${successorEmail}`);
    const dir = mkdtempSync(join(tmpdir(), "checks-"));
    const file = join(dir, "offboarding.yaml");
    writeFileSync(file, lines.join("\n") + "\n");
    const config = { "docspace:url": s.url, "docspace:apiKey": KEYS.owner, "docspace:maxRemovalsPerRun": "1000", "docspace:maxImpactReads": "0" };
    const { resources } = await lifecycle.declareResources(() => program.defineOffboarding({ file }), { config, preview: true });
    expect(resources.length).toBe(20 + 5 + 5 * 2);

    const h = await freshHost();
    const mark = s.log.length;
    const steps = await lifecycle.preview(h, resources, new Map());
    expect(steps.filter((x) => x.kind === "refused"), "nothing refused").toEqual([]);
    expect(steps.filter((x) => x.kind === "create").length).toBe(resources.length);
    const byChecks = requestsSince(mark).filter((r) => !PER_RUN_ROUTES.has(r));
    expect(byChecks, `the checks' own requests (${summarise(byChecks)})`).toEqual([]);
    // What the look told the checks is not kept: the stored inputs are the entry's own.
    for (const step of steps) expect(Object.keys(step.inputs ?? {})).not.toContain("fileCheck");
  });
});

describe("what the look tells a check is about the entry's own account, or nothing", () => {
  it("a fileCheck naming another account than the entry's userId is ignored: the check asks the gate, which refuses the owner", async () => {
    const h = await freshHost();
    const news = { userId: USERS.owner, fileCheck: { userId: USERS.jane }, __provider: removalProvider };
    const checked = await h.check(urn("owner-by-id"), undefined, news);
    expect(checked.failures.map((f) => f.reason).join(" ")).toMatch(/portal owner/);
  });

  it("an entry named by email, given a fileCheck of another account's id, asks the gate (which refuses the owner)", async () => {
    const h = await freshHost();
    const news = { email: "olivia.owner@example.com", fileCheck: { userId: USERS.jane }, __provider: removalProvider };
    const checked = await h.check(urn("owner-by-email"), undefined, news);
    expect(checked.failures.map((f) => f.reason).join(" ")).toMatch(/portal owner/);
  });

  it("a fileCheck vouching for another successor than the entry's transferTo asks the gate (which refuses a successor that is not an admin)", async () => {
    const h = await freshHost();
    const news = { email: "jane.doe@example.com", transferTo: "nora.north@example.com", fileCheck: { userId: USERS.jane, email: "jane.doe@example.com", transferTo: "archive@example.com", successorId: USERS.archive }, __provider: removalProvider };
    const checked = await h.check(urn("jane-other-successor"), undefined, news);
    expect(checked.failures.map((f) => f.reason).join(" ")).toMatch(/successor/);
  });
});
