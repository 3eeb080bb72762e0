/**
 * The gate's decision (provider/resources/gate/decide.ts) and the outcome judgement
 * (gate/outcome.ts), as pure functions: table-driven, no simulator, no host, milliseconds. Every
 * situation (a resource's preview, the program's look at the file, the preview of a stored record,
 * a start, a resume) against the facts that matter. The simulator suites prove the reads and the
 * words against a portal; these prove the rules.
 */
import { createRequire } from "node:module";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type * as DecideModule from "../provider/resources/gate/decide";
import type * as OutcomeModule from "../provider/resources/gate/outcome";
import type * as ReasonsModule from "../provider/resources/gate/reasons";
import type { Employee, TaskProgress } from "../provider/docspace/schemas";

// The compiled modules, as the provider host loads them (pure: loading them starts nothing).
const load = createRequire(join(__dirname, "..", "package.json"));
const { decide } = load("./dist/provider/resources/gate/decide.js") as typeof DecideModule;
const { judgeOutcome, judgeProfile, recordedStatus } = load("./dist/provider/resources/gate/outcome.js") as typeof OutcomeModule;
const { sentence } = load("./dist/provider/resources/gate/reasons.js") as typeof ReasonsModule;

type Facts = DecideModule.Facts;
type Situation = DecideModule.Situation;
type RemovalAsk = DecideModule.RemovalAsk;
type Decision = DecideModule.Decision;
type StoredRecord = DecideModule.StoredRecord;

const ORIGIN = "https://portal.example.com";
let nextId = 0;
function account(email: string, over: Partial<Employee> = {}): Employee {
  nextId++;
  const id = `00000000-0000-4000-8000-${String(nextId).padStart(12, "0")}`;
  return { id, email, displayName: email.split("@")[0], status: 1, activationStatus: 1, isOwner: false, isAdmin: false, isRoomAdmin: false, isVisitor: false, isCollaborator: true, ...over };
}

const owner = account("olivia.owner@example.com", { isOwner: true, isAdmin: true });
const admin = account("adam.admin@example.com", { isAdmin: true });
const user = account("user.key@example.com");
const jane = account("jane.doe@example.com");
const janeDisabled = { ...jane, status: 2 };
const otherAdmin = account("ada.other@example.com", { isAdmin: true });
const peopleAdmin = account("pat.people@example.com", { listAdminModules: ["people"] });
const ldapActive = account("lee.ldap@example.com", { isLDAP: true });
const ldapDisabled = { ...ldapActive, status: 2 };
const lead = account("team.lead@example.com", { isRoomAdmin: true });
const leadDisabled = { ...lead, status: 2 };
const guest = account("gus.guest@example.com", { isVisitor: true, isCollaborator: false });
const someoneElse = account("someone.else@example.com");

const found = (u: Employee): { found: true; user: Employee } => ({ found: true, user: u });
const task = (status: number, percentage = status === 2 ? 100 : 40): TaskProgress => ({ id: `task-${status}`, error: status === 4 ? "quota" : "", percentage, isCompleted: status >= 2, status });
const RUNNING = task(1);
const COMPLETED = task(2);
const FAILED = task(4);
const CANCELED = task(3);

const ownerKey = { caller: owner, scopes: [] };
const adminKey = { caller: admin, scopes: [] };
const readOnlyKey = { caller: admin, scopes: ["accounts:read", "rooms:read"] };

/** A record of this step, as the stack keeps it (for preview-resume and resume). */
function record(target: Employee, over: Partial<StoredRecord> = {}): StoredRecord {
  return { userId: target.id, email: target.email!, portal: ORIGIN, action: "remove", status: "Running", taskMayWait: false, ...over };
}

const SITUATIONS = ["preview", "preview-file", "preview-resume", "start", "resume"] as const;
type SituationName = (typeof SITUATIONS)[number];

function situation(name: SituationName, stored: StoredRecord, opts: { previewOnly?: boolean; entryTransfers?: boolean } = {}): Situation {
  const previewOnly = opts.previewOnly ?? false;
  switch (name) {
    case "preview":
      return { kind: "preview", previewOnly, entryTransfers: opts.entryTransfers ?? false };
    case "preview-file":
      return { kind: "preview-file", previewOnly, entryTransfers: opts.entryTransfers ?? false };
    case "preview-resume":
      return { kind: "preview-resume", previewOnly, stored };
    case "start":
      return { kind: "start" };
    case "resume":
      return { kind: "resume", stored };
  }
}

/** The decision without the people in it: its kind, and for a refusal the property and the reason code. */
function summary(d: Decision): string {
  switch (d.kind) {
    case "read":
      return `read ${d.fact}`;
    case "refuse":
      return `refuse ${d.property} ${d.reason.code}`;
    case "absent":
      return `absent ${d.reason.code}`;
    case "gone":
      return "gone";
    case "start":
      return d.waitsFor ? `start waits for ${d.waitsFor}` : "start";
    case "adopt":
      return `adopt ${d.task ? `task ${d.task.status}` : "unseen task"}`;
    case "done":
      return "done";
  }
}

interface Row {
  name: string;
  ask?: Partial<RemovalAsk>;
  target?: Employee;
  facts?: Partial<Facts>;
  stored?: Partial<StoredRecord>;
  opts?: { previewOnly?: boolean; entryTransfers?: boolean };
  /** The decision in each situation; one string for all. */
  expect: string | Partial<Record<SituationName, string>>;
}

function run(row: Row, sit: SituationName): Decision {
  const target = row.target ?? jane;
  const ask: RemovalAsk = { account: { email: target.email! }, action: "remove", allowAdmin: false, ...row.ask };
  const stored = record(target, { action: ask.action, ...row.stored });
  const facts: Facts = { origin: ORIGIN, key: adminKey, target: found(target), tasks: {}, ...row.facts };
  return decide(ask, situation(sit, stored, row.opts), facts);
}

function table(rows: Row[]): void {
  for (const row of rows) {
    const expected = typeof row.expect === "string" ? Object.fromEntries(SITUATIONS.map((s) => [s, row.expect])) : row.expect;
    it(row.name, () => {
      const got = Object.fromEntries(Object.keys(expected).map((s) => [s, summary(run(row, s as SituationName))]));
      expect(got).toEqual(expected);
    });
  }
}

describe("decide: the key, in every situation", () => {
  table([
    { name: "a key that may not read its own account is refused, naming no input", facts: { key: { caller: undefined, scopes: [] } }, expect: "refuse  key-cannot-read-itself" },
    { name: "a key of a user (not the owner, not a DocSpace admin) is refused", facts: { key: { caller: user, scopes: [] } }, expect: "refuse  key-not-admin" },
    { name: "a key without accounts:write is refused, except in a preview-only run's previews", facts: { key: readOnlyKey }, expect: "refuse  key-cannot-write" },
    {
      name: "a preview-only run plans with a read-only key; its start and resume are still refused",
      facts: { key: readOnlyKey },
      opts: { previewOnly: true },
      expect: { preview: "start", "preview-file": "start", "preview-resume": "start", start: "refuse  key-cannot-write", resume: "refuse  key-cannot-write" },
    },
    { name: "a key with no scope restriction (no keys/@self route) is judged by its account", facts: { key: { caller: admin, scopes: undefined } }, expect: "start" },
  ]);
});

describe("decide: who the target is, in every situation", () => {
  table([
    { name: "the portal owner is never removed", target: owner, facts: { key: adminKey }, expect: "refuse email owner" },
    { name: "the key's own account is never removed", target: admin, ask: { allowAdmin: true }, facts: { key: adminKey }, expect: "refuse email self" },
    { name: "a DocSpace admin without allowAdmin is refused on allowAdmin", target: otherAdmin, expect: "refuse allowAdmin admin-not-allowed" },
    { name: "a DocSpace admin with allowAdmin and an admin's key is refused: only the owner may", target: otherAdmin, ask: { allowAdmin: true }, expect: "refuse allowAdmin admin-needs-owner-key" },
    { name: "a DocSpace admin with allowAdmin and the owner's key starts", target: otherAdmin, ask: { allowAdmin: true }, facts: { key: ownerKey }, expect: "start" },
    { name: "an active LDAP account is refused (DocSpace will not disable it)", target: ldapActive, expect: "refuse email ldap-active" },
    { name: "a disabled LDAP account starts", target: ldapDisabled, expect: "start" },
    {
      name: "a People-module admin's data goes to a successor only with the owner's key",
      target: peopleAdmin,
      ask: { transferTo: lead.email },
      facts: { successor: found(lead) },
      expect: "refuse transferTo people-admin-needs-owner-key",
    },
    { name: "a People-module admin with the owner's key, and a successor, starts", target: peopleAdmin, ask: { transferTo: lead.email }, facts: { key: ownerKey, successor: found(lead) }, expect: "start" },
    { name: "a People-module admin removed without a successor (remove/start) starts with an admin's key", target: peopleAdmin, expect: "start" },
    {
      name: "an answer about another person is refused",
      facts: { target: found(someoneElse) },
      expect: "refuse email answered-another",
    },
    {
      name: "a stored record whose account has another address now is refused (preview-resume and resume); new entries ask by that address",
      facts: { target: found(jane) },
      stored: { email: "jane.old@example.com" },
      expect: { preview: "start", "preview-file": "start", "preview-resume": "refuse email record-names-another", start: "start", resume: "refuse email record-names-another" },
    },
    {
      name: "a record made against another portal is refused before anything is read",
      facts: { key: undefined, target: undefined },
      stored: { portal: "https://other.example.com" },
      expect: { preview: "read key", "preview-resume": "refuse email other-portal", resume: "refuse email other-portal" },
    },
  ]);
});

describe("decide: an account that is not there", () => {
  const byId = { account: { userId: jane.id } };
  table([
    { name: "no account with the entry's email: absent (not proof of removal)", facts: { target: { found: false, envelope: true, message: "The user could not be found" } }, expect: { preview: "absent absent", "preview-file": "absent absent", start: "absent absent" } },
    {
      name: "by id, DocSpace's own 404 is proof it is gone; the whole-file look's people list is not",
      ask: byId,
      facts: { target: { found: false, envelope: true, message: "The user could not be found" } },
      expect: { preview: "gone", "preview-file": "absent absent", "preview-resume": "gone", start: "gone", resume: "gone" },
    },
    {
      name: "by id, a 404 without DocSpace's envelope proves nothing",
      ask: byId,
      facts: { target: { found: false, envelope: false, message: "<html>404</html>" } },
      expect: { preview: "refuse userId not-found-without-envelope", start: "refuse userId not-found-without-envelope", resume: "refuse userId not-found-without-envelope" },
    },
  ]);
});

describe("decide: the successor, in every situation", () => {
  /** transferTo names `named`; DocSpace answers `successor`. */
  const withSuccessor = (successor: Facts["successor"], named = successor?.found ? successor.user.email! : lead.email!): Partial<Row> => ({ ask: { transferTo: named }, facts: { successor } });
  table([
    { name: "a successor that is no DocSpace account is refused", ...withSuccessor({ found: false, envelope: true, message: "not found" }), expect: "refuse transferTo successor-missing" },
    { name: "a successor who is not active is refused", ...withSuccessor(found(leadDisabled)), expect: "refuse transferTo successor-inactive" },
    { name: "a guest successor is refused (only room admins and DocSpace admins take data)", ...withSuccessor(found(guest)), expect: "refuse transferTo successor-not-admin" },
    { name: "a successor lookup that answers with another person is refused", ...withSuccessor(found(someoneElse), lead.email), expect: "refuse transferTo successor-answered-another" },
    { name: "transferTo naming the account being removed is refused", ask: { transferTo: jane.id }, facts: { successor: found(jane) }, expect: "refuse transferTo successor-is-target" },
    { name: "an active room admin successor starts", ...withSuccessor(found(lead)), expect: "start" },
  ]);
});

describe("decide: the schedule", () => {
  table([
    {
      name: "a removal not due yet is refused on removeAfter before anything is read",
      ask: { schedule: { removeAfter: "2030-01-10", today: "2030-01-05" } },
      facts: { key: undefined, target: undefined, tasks: undefined },
      expect: "refuse removeAfter not-due",
    },
    { name: "on its day it goes ahead", ask: { schedule: { removeAfter: "2030-01-10", today: "2030-01-10" } }, expect: "start" },
    { name: "a transfer has no schedule to wait for", ask: { action: "transfer", transferTo: lead.email, schedule: { removeAfter: "2030-01-10", today: "2030-01-05" } }, facts: { successor: found(lead) }, expect: "start" },
  ]);
});

describe("decide: tasks under way, whoever started them", () => {
  const disabled = { target: janeDisabled };
  const successor = { transferTo: lead.email };
  table([
    {
      name: "a new entry's preview of an active account reads no task (DocSpace starts none for it); every other situation does",
      facts: { tasks: undefined },
      expect: { preview: "start", "preview-file": "start", "preview-resume": "read tasks", start: "read tasks", resume: "read tasks" },
    },
    { name: "a disabled account's tasks are read in every situation", ...disabled, facts: { tasks: undefined }, expect: "read tasks" },
    { name: "a removal running for the person is adopted by a removal without successor", ...disabled, facts: { tasks: { remove: RUNNING } }, expect: "adopt task 1" },
    { name: "a removal running cannot become a transfer to a successor", ...disabled, ask: successor, facts: { successor: found(lead), tasks: { remove: RUNNING } }, expect: "refuse transferTo removal-running" },
    { name: "both kinds running: refused", ...disabled, facts: { tasks: { remove: RUNNING, reassign: RUNNING } }, expect: "refuse email both-tasks-running" },
    {
      name: "a transfer running and a removal without successor: refused in every situation",
      ...disabled,
      facts: { tasks: { reassign: RUNNING } },
      expect: { preview: "refuse email transfer-running", "preview-file": "refuse email transfer-running", "preview-resume": "refuse email transfer-running", start: "refuse email transfer-running", resume: "refuse email transfer-running" },
    },
    {
      name: "the entry's own transfer runs first (its ownTransfer input, or the file's action transfer): the removal waits behind it, in previews",
      ...disabled,
      facts: { tasks: { reassign: RUNNING } },
      opts: { entryTransfers: true },
      expect: { preview: "start waits for own-transfer", "preview-file": "start waits for own-transfer", start: "refuse email transfer-running", resume: "refuse email transfer-running" },
    },
    {
      name: "a transfer running, a removal with successor: the look cannot tell whose and leaves it to the record; the record adopts its own",
      ...disabled,
      ask: successor,
      facts: { successor: found(lead), tasks: { reassign: RUNNING } },
      stored: { transferToId: lead.id },
      expect: { preview: "refuse transferTo transfer-running", "preview-file": "adopt task 1", "preview-resume": "adopt task 1", start: "refuse transferTo transfer-running", resume: "adopt task 1" },
    },
    {
      name: "a stored record whose transferTo changed while its transfer runs is refused",
      ...disabled,
      ask: successor,
      facts: { successor: found(lead), tasks: { reassign: RUNNING } },
      stored: { transferToId: otherAdmin.id },
      expect: { "preview-resume": "refuse transferTo transfer-running", resume: "refuse transferTo transfer-running" },
    },
    {
      name: "DocSpace shows no task: a record whose task may still wait in DocSpace's queue follows it, never starts a second",
      ...disabled,
      stored: { taskMayWait: true },
      expect: { preview: "start", "preview-file": "start", "preview-resume": "adopt unseen task", start: "start", resume: "adopt unseen task" },
    },
    { name: "DocSpace shows no task and the record's task can no longer wait: it starts again", ...disabled, stored: { taskMayWait: false }, expect: "start" },
    {
      name: "a finished removal with the profile gone is done, by DocSpace's 404",
      ...disabled,
      facts: { tasks: { remove: COMPLETED }, profile: { gone: true, proof: `GET people/${jane.id} at ${ORIGIN}: 404 "The user could not be found"` } },
      expect: "done",
    },
    { name: "a finished removal asks for the profile, read afresh", ...disabled, facts: { tasks: { remove: COMPLETED } }, expect: "read profile" },
    {
      name: "a finished removal and the profile still there: refused until understood",
      ...disabled,
      facts: { tasks: { remove: COMPLETED }, profile: { gone: false, user: janeDisabled } },
      expect: "refuse email finished-removal-account-exists",
    },
    {
      name: "a finished removal (remove/start) cannot be a transfer to a successor",
      ...disabled,
      ask: successor,
      facts: { successor: found(lead), tasks: { remove: COMPLETED } },
      expect: "refuse email finished-removal-not-transfer",
    },
    { name: "a failed removal task is no obstacle: the removal starts again", ...disabled, facts: { tasks: { remove: FAILED } }, expect: "start" },
    { name: "a canceled removal task is no obstacle either", ...disabled, facts: { tasks: { remove: CANCELED } }, expect: "start" },
  ]);
});

describe("decide: a transfer that keeps the profile", () => {
  const transfer = { action: "transfer" as const, transferTo: lead.email };
  table([
    {
      name: "a finished transfer: done for a record that saw it start (Running), even with its successor gone since; the look adopts it as maybe its own",
      target: janeDisabled,
      ask: transfer,
      facts: { successor: found(leadDisabled), tasks: { reassign: COMPLETED } },
      stored: { status: "Running" },
      expect: { preview: "refuse transferTo successor-inactive", "preview-file": "done", "preview-resume": "done", start: "refuse transferTo successor-inactive", resume: "done" },
    },
    {
      name: "a finished transfer this stack did not see start (Unconfirmed) is not recorded as its own",
      target: janeDisabled,
      ask: transfer,
      facts: { successor: found(lead), tasks: { reassign: COMPLETED } },
      stored: { status: "Unconfirmed" },
      expect: { "preview-resume": "refuse transferTo finished-transfer-unattributed", resume: "refuse transferTo finished-transfer-unattributed" },
    },
    {
      name: "someone else's finished transfer before a new entry starts: the new entry starts its own",
      target: janeDisabled,
      ask: transfer,
      facts: { successor: found(lead), tasks: { reassign: COMPLETED } },
      expect: { preview: "start", start: "start" },
    },
    { name: "a disable needs no successor and no task", ask: { action: "disable" }, facts: { tasks: undefined }, expect: "start" },
  ]);
});

describe("decide: the reads it asks for, in order, and no more", () => {
  /** Feeds decide the facts it asks for, one at a time, from `world`; returns the facts asked for and the decision. */
  function walk(ask: RemovalAsk, sit: Situation, world: Required<Omit<Facts, "origin">>): { asked: string[]; decision: string } {
    let facts: Facts = { origin: ORIGIN };
    const asked: string[] = [];
    for (;;) {
      const d = decide(ask, sit, facts);
      if (d.kind !== "read") return { asked, decision: summary(d) };
      asked.push(d.fact);
      facts = { ...facts, [d.fact]: world[d.fact] };
    }
  }
  const world = { key: adminKey, target: found(janeDisabled), successor: found(lead), tasks: {}, profile: { gone: false as const, user: janeDisabled } };

  it.each([
    ["a start with a successor: key, target, successor, tasks", { account: { email: jane.email! }, action: "remove", transferTo: lead.email, allowAdmin: false }, { kind: "start" }, world, ["key", "target", "successor", "tasks"], "start"],
    ["a start without: key, target, tasks", { account: { email: jane.email! }, action: "remove", allowAdmin: false }, { kind: "start" }, world, ["key", "target", "tasks"], "start"],
    ["the owner: key and target, then refused without reading tasks", { account: { email: owner.email! }, action: "remove", allowAdmin: false }, { kind: "start" }, { ...world, target: found(owner) }, ["key", "target"], "refuse email owner"],
    ["a finished removal: the profile last", { account: { email: jane.email! }, action: "remove", allowAdmin: false }, { kind: "start" }, { ...world, tasks: { remove: COMPLETED } }, ["key", "target", "tasks", "profile"], "refuse email finished-removal-account-exists"],
    [
      "a stored transfer seen Running: its task before its successor (done even if the successor left)",
      { account: { email: jane.email! }, action: "transfer", transferTo: lead.email, allowAdmin: false },
      { kind: "resume", stored: record(janeDisabled, { action: "transfer", transferToId: lead.id }) },
      { ...world, tasks: { reassign: COMPLETED } },
      ["key", "target", "tasks"],
      "done",
    ],
    ["a disable: key and target only", { account: { email: jane.email! }, action: "disable", allowAdmin: false }, { kind: "start" }, world, ["key", "target"], "start"],
    ["not due: nothing", { account: { email: jane.email! }, action: "remove", allowAdmin: false, schedule: { removeAfter: "2031-01-01", today: "2030-01-01" } }, { kind: "start" }, world, [], "refuse removeAfter not-due"],
  ] as Array<[string, RemovalAsk, Situation, typeof world, string[], string]>)("%s", (_name, ask, sit, w, asked, decision) => {
    expect(walk(ask, sit, w)).toEqual({ asked, decision });
  });
});

describe("the outcome judgement", () => {
  const gone = { gone: true as const, proof: `GET people/${jane.id} at ${ORIGIN}: 404 "The user could not be found"` };
  const there = { gone: false as const, user: janeDisabled };
  type Profile = typeof gone | typeof there | undefined;
  const cases: Array<[string, "remove" | "transfer", TaskProgress | undefined, "yes" | "no" | "maybe", Profile, boolean, string]> = [
    // A transfer that keeps the profile: its task's own report.
    ["transfer running", "transfer", RUNNING, "yes", undefined, false, "running"],
    ["transfer Completed, seen start", "transfer", COMPLETED, "yes", undefined, false, "done GET people/reassign/progress: task task-2 status 2 (Completed), 100%"],
    ["transfer Completed, maybe seen (the look)", "transfer", COMPLETED, "maybe", undefined, false, "done GET people/reassign/progress: task task-2 status 2 (Completed), 100%"],
    ["transfer Completed, not seen start", "transfer", COMPLETED, "no", undefined, false, "unattributed"],
    ["transfer Failed", "transfer", FAILED, "yes", undefined, false, "ended Failed"],
    ["transfer Canceled", "transfer", CANCELED, "yes", undefined, false, "ended Canceled"],
    ["transfer not shown", "transfer", undefined, "yes", undefined, false, "unseen"],
    // A removal: the profile's absence, whatever the task says.
    ["removal running", "remove", RUNNING, "yes", undefined, false, "running"],
    ["removal Completed, profile not read yet", "remove", COMPLETED, "yes", undefined, false, "needs-proof"],
    ["removal Completed, profile gone", "remove", COMPLETED, "yes", gone, false, `done ${gone.proof}`],
    ["removal Failed after deleting the profile", "remove", FAILED, "yes", gone, false, `done ${gone.proof}; DocSpace reported an error after: quota`],
    ["removal not shown, profile gone", "remove", undefined, "yes", gone, false, `done ${gone.proof}`],
    ["removal Completed, profile there", "remove", COMPLETED, "yes", there, false, "not-done"],
    ["removal Completed twice, profile there", "remove", COMPLETED, "yes", there, true, "ended Failed DocSpace reports the task finished, but the account still exists."],
    ["removal Failed, profile there", "remove", FAILED, "yes", there, false, "ended Failed"],
    ["removal Canceled, profile there", "remove", CANCELED, "yes", there, false, "ended Canceled"],
    ["removal not shown, profile there (queued, or not started)", "remove", undefined, "yes", there, false, "unseen"],
  ];
  it.each(cases)("%s", (_name, action, t, seen, profile, finishedBefore, expected) => {
    const o = judgeOutcome({ action }, t, seen, profile, { finishedBefore });
    const said = o.kind === "done" ? `done ${o.proof}` : o.kind === "ended" ? `ended ${o.status}${o.error ? ` ${o.error}` : ""}` : o.kind;
    expect(said).toBe(expected);
  });

  it("a task's Completed is not the record's: Running until DocSpace's proof", () => {
    expect([RUNNING, COMPLETED, FAILED, CANCELED, task(0)].map(recordedStatus)).toEqual(["Running", "Running", "Failed", "Canceled", "Running"]);
  });

  it.each([
    ["DocSpace's 404 with its envelope: gone", { found: false as const, envelope: true as const, message: "The user could not be found" }, `gone GET people/${jane.id} at ${ORIGIN}: 404 "The user could not be found"`],
    ["the account: still there", { found: true as const, user: janeDisabled }, "there"],
    ["a 404 without the envelope: no proof either way", { found: false as const, envelope: false as const, message: "<html>" }, /^doubt .*without DocSpace's error envelope/],
    ["another account in the answer: no proof either way", { found: true as const, user: someoneElse }, /^doubt Asked DocSpace for the account .* and DocSpace answered with another account/],
  ] as Array<[string, Parameters<typeof judgeProfile>[2], string | RegExp]>)("the profile, read afresh: %s", (_name, look, expected) => {
    const j = judgeProfile(ORIGIN, jane.id, look);
    const said = "doubt" in j ? `doubt ${j.doubt.message}` : j.gone ? `gone ${j.proof}` : "there";
    expect(said).toMatch(expected);
  });
});

describe("reasons: every code has its sentence", () => {
  it("renders each reason decide gives, naming the person", () => {
    const rows: Row[] = [
      { name: "", target: owner, expect: "" },
      { name: "", target: otherAdmin, expect: "" },
      { name: "", target: ldapActive, expect: "" },
      { name: "", facts: { target: { found: false, envelope: true, message: "x" } }, expect: "" },
    ];
    const said = rows.map((r) => run(r, "start")).map((d) => (d.kind === "refuse" || d.kind === "absent" ? sentence(d.reason) : ""));
    expect(said).toEqual([
      `${owner.displayName} <${owner.email}> is the portal owner; DocSpace never lets anyone remove the owner. Transfer portal ownership first, or delete this entry.`,
      `${otherAdmin.displayName} <${otherAdmin.email}> is a DocSpace admin. Removing an admin must be asked for explicitly: add \`allowAdmin: true\` to the entry (and run with the portal owner's key).`,
      `${ldapActive.displayName} <${ldapActive.email}> is an LDAP account and still active; DocSpace does not let the API disable LDAP accounts. Disable it in DocSpace or in the directory first, then run again.`,
      `No DocSpace account has the email ${jane.email} at ${ORIGIN}.`,
    ]);
  });
});
