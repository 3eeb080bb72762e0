/**
 * `pulumi-docspace report`: who else should be in the offboarding file. The rules on plain data,
 * then the built command as a child process against a simulated portal of 2,000 accounts, of which
 * a known set (and exactly that set) is suggested, with GET requests only.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type * as SuggestModule from "../provider/suggestions/suggest";
import type * as CliModule from "../provider/cli/report-command";
import type { Employee } from "../provider/docspace/schemas";
import { fromDist, KEYS, pkg, ROOT, runCommand, sim, startSimulator, USERS, type Simulator } from "./helpers";

const suggest = fromDist("provider/suggestions/suggest.js") as typeof SuggestModule;
const cli = fromDist("provider/cli/report-command.js") as typeof CliModule;
const BIN = join(ROOT, "dist/provider/cli/bin.js");

const TODAY = "2026-11-30";
const OPTIONS = { today: TODAY, disabledDays: 30, invitedDays: 14 };
const NONE = { emails: new Set<string>(), ids: new Set<string>() };
const SELF = "00000000-0000-4000-8000-0000000000aa";

let n = 0;
function person(over: Partial<Employee> & { email?: string }): Employee {
  n++;
  const id = `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`;
  return { id, email: `p${n}@example.com`, status: 1, activationStatus: 1, isOwner: false, isAdmin: false, ...over };
}
const disabledOn = (day: string, over: Partial<Employee> = {}): Employee => person({ status: 2, terminated: `${day}T10:00:00.0000000+00:00`, ...over });
// An invitation is status 4 (Pending) with activationStatus 2 (DocSpace's AddInvitedUserAsync).
const invitedOn = (day: string, over: Partial<Employee> = {}): Employee => person({ status: 4, activationStatus: 2, registrationDate: `${day}T09:00:00.0000000+00:00`, ...over });
// A live account (created by an admin, imported, or invited before DocSpace 2.6) whose email was never confirmed.
const unconfirmedSince = (day: string, over: Partial<Employee> = {}): Employee => person({ status: 1, activationStatus: 2, registrationDate: `${day}T09:00:00.0000000+00:00`, ...over });
const WITH_ALL = { ...OPTIONS, includeUndated: true, includeUnconfirmed: true };
const emailsOf = (r: SuggestModule.SuggestResult): string[] => r.suggestions.map((s) => s.email ?? s.id);

const input = (over: Partial<SuggestModule.SuggestInput>): SuggestModule.SuggestInput => ({ disabled: [], invited: [], unconfirmed: [], listed: NONE, selfId: SELF, ...over });
const reasonsOf = (r: SuggestModule.SuggestResult): string[] => r.suggestions.map((s) => suggest.reasonFor(s, "offboarding.yaml"));

describe("which accounts are suggested (pure rules)", () => {
  it("suggests disabled accounts whose DocSpace terminated date is more than --disabled-days ago, not those that recent", () => {
    const old = disabledOn("2026-09-01");
    const boundary = disabledOn("2026-10-31"); // exactly 30 days
    const justOver = disabledOn("2026-10-30"); // 31 days
    const recent = disabledOn("2026-11-20");
    const r = suggest.suggestRemovals(input({ disabled: [recent, justOver, boundary, old] }), OPTIONS);
    expect(emailsOf(r)).toEqual([old.email, justOver.email]);
    expect(r.suggestions[0]).toMatchObject({ kind: "disabled", since: "2026-09-01", days: 90 });
    expect(r.skipped.recentlyDisabled).toBe(2);
  });

  it("names the date for what it is, DocSpace's terminated date (it may be older than the current disable), not 'disabled since'", () => {
    const r = suggest.suggestRemovals(input({ disabled: [disabledOn("2026-09-01")] }), OPTIONS);
    expect(reasonsOf(r)).toEqual(["disabled, DocSpace's terminated date 2026-09-01 (90 days ago), not in offboarding.yaml"]);
  });

  it("counts days in UTC: a terminated date at 01:00+03:00 is the previous UTC day", () => {
    const e = person({ status: 2, terminated: "2026-10-31T01:00:00.0000000+03:00" });
    const r = suggest.suggestRemovals(input({ disabled: [e] }), OPTIONS);
    expect(r.suggestions[0]).toMatchObject({ since: "2026-10-30", days: 31 });
  });

  it("gives a disabled account without a terminated date no age: left out by default and counted, never suggested for removal", () => {
    const undated = person({ status: 2 });
    const zeroDate = person({ status: 2, terminated: "0001-01-01T00:00:00.0000000+00:00" }); // DocSpace's "no date"
    const r = suggest.suggestRemovals(input({ disabled: [undated, zeroDate] }), OPTIONS);
    expect(r.suggestions).toEqual([]);
    expect(r.skipped.undated).toBe(2);
  });

  it("with includeUndated, lists them as 'disabled, date unknown', with removeAfter --disabled-days from today so nothing goes at once", () => {
    const undated = person({ status: 2, email: "undated@example.com" });
    const admin = person({ status: 2, isAdmin: true, email: "undated.admin@example.com" });
    const r = suggest.suggestRemovals(input({ disabled: [undated, admin] }), { ...OPTIONS, includeUndated: true });
    expect(r.suggestions.map((s) => ({ kind: s.kind, email: s.email, since: s.since, days: s.days, removeAfter: s.removeAfter, action: s.action }))).toEqual([
      { kind: "undated", email: "undated.admin@example.com", since: undefined, days: undefined, removeAfter: "2026-12-30", action: undefined },
      { kind: "undated", email: "undated@example.com", since: undefined, days: undefined, removeAfter: "2026-12-30", action: undefined },
    ]);
    expect(reasonsOf(r)[1]).toBe("disabled, date unknown (DocSpace records none), so removeAfter counts 30 days from today; not in offboarding.yaml");
    expect(reasonsOf(r)[0]).toContain("a DocSpace admin: add allowAdmin: true to remove");
    expect(r.skipped.undated).toBe(0);
  });

  it("suggests invitations (status 4, Pending) older than --invited-days, never accepted; skips those without a date", () => {
    const old = invitedOn("2026-10-02");
    const boundary = invitedOn("2026-11-16"); // exactly 14 days
    const undated = person({ status: 4, activationStatus: 2 });
    const r = suggest.suggestRemovals(input({ invited: [boundary, undated, old] }), OPTIONS);
    expect(emailsOf(r)).toEqual([old.email]);
    expect(r.suggestions[0]).toMatchObject({ kind: "invited", since: "2026-10-02", days: 59 });
    expect(reasonsOf(r)).toEqual(["invitation sent 2026-10-02 (59 days ago) never accepted"]);
    expect(r.skipped).toMatchObject({ recentlyInvited: 1, invitedWithoutDate: 1 });
  });

  it("does not take an active account whose email was never confirmed for an invitation: left out by default and counted", () => {
    const unconfirmed = unconfirmedSince("2025-01-01");
    // Also when a portal hands it over among the invitations (a server that ignored the filter).
    const r = suggest.suggestRemovals(input({ invited: [unconfirmed], unconfirmed: [{ ...unconfirmed }] }), OPTIONS);
    expect(r.suggestions).toEqual([]);
    expect(r.skipped.unconfirmed).toBe(1);
  });

  it("with includeUnconfirmed, lists those created more than --invited-days ago as what they are, to disable (never to remove)", () => {
    const old = unconfirmedSince("2026-01-05", { email: "never.confirmed@example.com" });
    const admin = unconfirmedSince("2026-02-01", { isAdmin: true, email: "unconfirmed.admin@example.com" });
    const recent = unconfirmedSince("2026-11-20");
    const r = suggest.suggestRemovals(input({ unconfirmed: [recent, admin, old] }), { ...OPTIONS, includeUnconfirmed: true });
    expect(r.suggestions.map((s) => [s.kind, s.email, s.action, s.removeAfter])).toEqual([
      ["unconfirmed", "never.confirmed@example.com", "disable", undefined],
      ["unconfirmed", "unconfirmed.admin@example.com", "disable", undefined],
    ]);
    expect(reasonsOf(r)[0]).toBe("active account, email never confirmed (created 2026-01-05, 329 days ago): not an invitation, so disable only, once you know nobody uses it");
    expect(reasonsOf(r)[1]).toContain("a DocSpace admin: add allowAdmin: true to disable");
    expect(r.skipped).toMatchObject({ unconfirmed: 0, recentlyUnconfirmed: 1 });
  });

  it("never suggests the owner or the key's own account, whatever their state", () => {
    const owner = disabledOn("2025-01-01", { isOwner: true });
    const self = invitedOn("2025-01-01", { id: SELF });
    const selfUpper = disabledOn("2025-01-01", { id: SELF.toUpperCase() });
    const ownerUnconfirmed = unconfirmedSince("2025-01-01", { isOwner: true });
    const ownerUndated = person({ status: 2, isOwner: true });
    const r = suggest.suggestRemovals(input({ disabled: [owner, selfUpper, ownerUndated], invited: [self], unconfirmed: [ownerUnconfirmed] }), WITH_ALL);
    expect(r.suggestions).toEqual([]);
    expect(r.skipped.ownerOrSelf).toBe(4);
  });

  it("leaves out accounts already listed, by email in any letter case or by id", () => {
    const byEmail = disabledOn("2026-01-01", { email: "Jane.Doe@Example.com" });
    const byId = invitedOn("2026-01-01");
    const other = disabledOn("2026-01-01");
    const undatedListed = person({ status: 2, email: "undated.listed@example.com" });
    const unconfirmedListed = unconfirmedSince("2025-01-01");
    const listed = { emails: new Set(["jane.doe@example.com", "undated.listed@example.com"]), ids: new Set([byId.id, unconfirmedListed.id]) };
    const r = suggest.suggestRemovals(input({ disabled: [byEmail, other, undatedListed], invited: [byId], unconfirmed: [unconfirmedListed], listed }), WITH_ALL);
    expect(emailsOf(r)).toEqual([other.email]);
    expect(r.skipped.listed).toBe(4);
  });

  it("does not trust the server's filter: active or accepted accounts in the answers are never suggested", () => {
    const active = person({ terminated: "2026-01-01T00:00:00.0000000+00:00" });
    const accepted = person({ registrationDate: "2026-01-01T00:00:00.0000000+00:00" });
    const pendingNotUnconfirmed = invitedOn("2025-01-01");
    const r = suggest.suggestRemovals(input({ disabled: [active], invited: [accepted], unconfirmed: [accepted, pendingNotUnconfirmed, active] }), WITH_ALL);
    expect(r.suggestions).toEqual([]);
  });

  it("reports an account both disabled and never accepted once, as disabled", () => {
    const both = disabledOn("2026-01-01", { activationStatus: 2, registrationDate: "2025-12-01T00:00:00.0000000+00:00" });
    const r = suggest.suggestRemovals(input({ disabled: [both], invited: [{ ...both }], unconfirmed: [{ ...both }] }), WITH_ALL);
    expect(r.suggestions.map((s) => s.kind)).toEqual(["disabled"]);
  });

  it("marks a DocSpace admin, and names by id an account whose email is not a valid address", () => {
    const admin = disabledOn("2026-01-01", { isAdmin: true, email: "Boss@Example.com" });
    const odd = disabledOn("2026-01-02", { email: "not an address" });
    const r = suggest.suggestRemovals(input({ disabled: [admin, odd] }), OPTIONS);
    expect(r.suggestions[0]).toMatchObject({ email: "boss@example.com", admin: true });
    expect(suggest.reasonFor(r.suggestions[0]!, "offboarding.yaml")).toContain("a DocSpace admin: add allowAdmin: true to remove");
    expect(r.suggestions[1]).toMatchObject({ id: odd.id, email: undefined });
  });

  it("renders a snippet that, after `version: 1`, is a valid offboarding file naming exactly the suggestions", () => {
    const a = disabledOn("2026-09-01", { email: "a@example.com" });
    const b = invitedOn("2026-10-02", { email: "b@example.com" });
    const plus = disabledOn("2026-08-01", { email: "first+tag@example.com" });
    const noEmail = disabledOn("2026-08-02", { email: undefined });
    const r = suggest.suggestRemovals(input({ disabled: [a, plus, noEmail], invited: [b] }), OPTIONS);
    const text = suggest.renderSnippet(r, { today: TODAY, portal: "https://portal.example.com", fileLabel: "offboarding.yaml" });
    expect(text.split("\n").slice(0, 6)).toEqual([
      "# Suggested by pulumi-docspace report on 2026-11-30 for https://portal.example.com (read-only; nothing was changed)",
      "removals:",
      "  - email: first+tag@example.com               # disabled, DocSpace's terminated date 2026-08-01 (121 days ago), not in offboarding.yaml",
      `  - id: ${noEmail.id}   # disabled, DocSpace's terminated date 2026-08-02 (120 days ago), not in offboarding.yaml`,
      "  - email: a@example.com                       # disabled, DocSpace's terminated date 2026-09-01 (90 days ago), not in offboarding.yaml",
      "  - email: b@example.com                       # invitation sent 2026-10-02 (59 days ago) never accepted",
    ]);
    const parsed = pkg.parseOffboardingFile(`version: 1\n${text}`);
    expect(parsed.removals.map((e) => e.email ?? e.id)).toEqual(["first+tag@example.com", noEmail.id, "a@example.com", "b@example.com"]);
  });

  it("renders undated and unconfirmed accounts with their removeAfter and action: disable, still a valid file", () => {
    const dated = disabledOn("2026-09-01", { email: "dated@example.com" });
    const undated = person({ status: 2, email: "undated@example.com" });
    const invited = invitedOn("2026-10-02", { email: "invited@example.com" });
    const unconfirmed = unconfirmedSince("2026-01-05", { email: "unconfirmed@example.com" });
    const r = suggest.suggestRemovals(input({ disabled: [undated, dated], invited: [invited], unconfirmed: [unconfirmed] }), WITH_ALL);
    const text = suggest.renderSnippet(r, { today: TODAY, portal: "https://portal.example.com", fileLabel: "offboarding.yaml" });
    expect(text.split("\n").slice(1)).toEqual([
      "removals:",
      "  - email: dated@example.com         # disabled, DocSpace's terminated date 2026-09-01 (90 days ago), not in offboarding.yaml",
      "  - email: undated@example.com       # disabled, date unknown (DocSpace records none), so removeAfter counts 30 days from today; not in offboarding.yaml",
      "    removeAfter: 2026-12-30",
      "  - email: invited@example.com       # invitation sent 2026-10-02 (59 days ago) never accepted",
      "  - email: unconfirmed@example.com   # active account, email never confirmed (created 2026-01-05, 329 days ago): not an invitation, so disable only, once you know nobody uses it",
      "    action: disable",
      "",
    ]);
    const parsed = pkg.parseOffboardingFile(`version: 1\n${text}`);
    // The parser fills in the file's default action, remove.
    expect(parsed.removals.map((e) => [e.email, e.action, e.removeAfter])).toEqual([
      ["dated@example.com", "remove", undefined],
      ["undated@example.com", "remove", "2026-12-30"],
      ["invited@example.com", "remove", undefined],
      ["unconfirmed@example.com", "disable", undefined],
    ]);
  });

  it("renders an empty suggestion as `removals: []`, still a valid file", () => {
    const text = suggest.renderSnippet(suggest.suggestRemovals(input({}), OPTIONS), { today: TODAY, portal: "https://p.example.com" });
    expect(pkg.parseOffboardingFile(`version: 1\n${text}`).removals).toEqual([]);
  });

  it("keeps every comment on its own line, whatever the file's name holds", () => {
    const r = suggest.suggestRemovals(input({ disabled: [disabledOn("2026-01-01", { email: "x@example.com" })] }), OPTIONS);
    const text = suggest.renderSnippet(r, { today: TODAY, portal: "https://p.example.com", fileLabel: "evil\nremovals:\n  - email: victim@example.com" });
    expect(pkg.parseOffboardingFile(`version: 1\n${text}`).removals.map((e) => e.email)).toEqual(["x@example.com"]);
  });
});

describe("the command line (pure parsing)", () => {
  it("has defaults and reads every option, in both --opt value and --opt=value forms", () => {
    expect(cli.parseReportArgs([])).toEqual({ disabledDays: 30, invitedDays: 14, includeUndated: false, includeUnconfirmed: false, help: false });
    expect(cli.parseReportArgs(["--file", "x.yaml", "--disabled-days=45", "--invited-days", "0", "--url=https://p.example.com", "--today", "2026-02-28"])).toEqual({
      file: "x.yaml",
      disabledDays: 45,
      invitedDays: 0,
      includeUndated: false,
      includeUnconfirmed: false,
      url: "https://p.example.com",
      today: "2026-02-28",
      help: false,
    });
  });

  it("reads --include-undated and --include-unconfirmed as switches, off unless given", () => {
    expect(cli.parseReportArgs(["--include-undated"])).toMatchObject({ includeUndated: true, includeUnconfirmed: false });
    expect(cli.parseReportArgs(["--include-unconfirmed", "--today", "2026-02-28"])).toMatchObject({ includeUndated: false, includeUnconfirmed: true, today: "2026-02-28" });
  });

  it.each([
    [["--disabled-days", "abc"], "--disabled-days must be a whole number"],
    [["--invited-days=-1"], "--invited-days must be a whole number"],
    [["--today", "2026-02-30"], "--today must be a date"],
    [["--file"], "--file needs a value"],
    [["--frobnicate"], "unknown option --frobnicate"],
    [["extra"], "unexpected argument #1"],
    [["--today", "2026-01-01", "--today", "2026-01-02"], "--today is given twice"],
    [["--include-undated", "--include-undated"], "--include-undated is given twice"],
    [["--include-undated=yes"], "--include-undated takes no value"],
    [["--include-unconfirmed=1"], "--include-unconfirmed takes no value"],
  ])("refuses %j", (argv, message) => {
    expect(() => cli.parseReportArgs(argv)).toThrow(message);
  });

  it("has no option for the key, and says why without echoing what was given", () => {
    for (const argv of [["--key", "sk-secret-value-1"], ["--api-key=sk-secret-value-1"], ["--apiKey", "sk-secret-value-1"]]) {
      let message = "";
      try {
        cli.parseReportArgs(argv);
      } catch (e) {
        message = (e as Error).message;
      }
      expect(message).toMatch(/shell history.*DOCSPACE_API_KEY/);
      expect(message).not.toContain("sk-secret-value-1");
    }
  });
});

// ---- the built command against a simulated portal ------------------------------------------------

const MAX_PAGE = 100;
const NO_SELF_KEY = "sk-report-noself-4b2e8a71c9d3";

interface Portal {
  sim: Simulator;
  dir: string;
  expected: string[];
  /** Disabled, no terminated date, not listed: suggested only with --include-undated. */
  undated: string[];
  /** Active, email never confirmed, created more than 14 days ago, not listed: only with --include-unconfirmed. */
  unconfirmed: string[];
  env: NodeJS.ProcessEnv;
}

/**
 * 2,000 accounts: the seed's owner, admin and room admin plus 1,997 generated. Every account the report
 * must suggest is recorded in `expected` as it is made (and those it lists only when asked, in
 * `undated` and `unconfirmed`); everything else is a near miss. Invitations are status 4 (Pending),
 * as DocSpace makes them; most disabled accounts there have a terminated date, some have none, as
 * after a disable through `PUT people/status` (DocSpace writes none).
 */
async function portalOf2000(): Promise<Portal> {
  // Only the seed's owner, DocSpace admin and room admin (for their API keys): everyone else is made here.
  const seed = sim.defaultSeed();
  const keep = new Set<string>([USERS.owner, USERS.admin, USERS.teamLead]);
  const s = await startSimulator({ seed: { ...seed, users: seed.users.filter((u) => keep.has(u.id)), rooms: [] } as typeof seed });
  const p = s.portal;
  const expected: string[] = [];
  const undated: string[] = [];
  const unconfirmed: string[] = [];
  const day = (d: string): Date => new Date(`${d}T12:00:00Z`);
  let i = 0;
  const add = (over: Record<string, unknown>): string => {
    i++;
    const email = (over.email as string | undefined) ?? `person${String(i).padStart(4, "0")}@example.com`;
    p.addUser({ email, registeredAt: day("2025-06-01"), ...over } as Parameters<typeof p.addUser>[0]);
    return email;
  };
  // Disabled through the status route: DocSpace has no terminated date for it.
  const addUndated = (over: Record<string, unknown> = {}): string => {
    const email = add({ status: 2, ...over });
    p.userByEmail(email)!.terminatedAt = undefined;
    return email;
  };

  // The owner and the key's own account (dana.admin, a DocSpace admin) have unconfirmed emails: never suggested.
  p.users.get(USERS.owner)!.activationStatus = 2;
  p.users.get(USERS.admin)!.activationStatus = 2;
  // Disabled 60 days ago: one listed in the file, one not.
  add({ email: "former.lead@example.com", type: "RoomAdmin", status: 2, terminatedAt: day("2026-10-01") });
  expected.push(add({ email: "suspended.sam@example.com", status: 2, terminatedAt: day("2026-10-01") }));

  // Disabled more than 30 days ago, not listed: suggested.
  for (let k = 0; k < 25; k++) expected.push(add({ status: 2, terminatedAt: day(`2026-0${1 + (k % 9)}-1${k % 10}`) }));
  expected.push(add({ status: 2, terminatedAt: day("2026-10-30") })); // 31 days
  expected.push(add({ status: 2, type: "DocSpaceAdmin", terminatedAt: day("2026-05-05") }));
  expected.push(add({ status: 2, type: "RoomAdmin", terminatedAt: day("2026-04-04"), email: "Mixed.Case@Example.com" }).toLowerCase());
  expected.push(add({ status: 2, activationStatus: 2, terminatedAt: day("2026-03-03"), registeredAt: day("2026-02-01") })); // both: once, as disabled
  // Disabled long ago but listed in the file (by email in another case, or by id): left out.
  const listedEmails: string[] = [];
  const listedIds: string[] = [];
  for (let k = 0; k < 10; k++) listedEmails.push(add({ status: 2, terminatedAt: day("2026-02-02") }));
  for (let k = 0; k < 5; k++) {
    const email = add({ status: 2, terminatedAt: day("2026-02-03") });
    listedIds.push(p.userByEmail(email)!.id);
  }
  // Disabled 30 days ago or less: left out (150 of them, so the disabled list spans several pages).
  for (let k = 0; k < 150; k++) add({ status: 2, terminatedAt: day(k % 2 === 0 ? "2026-10-31" : "2026-11-2" + (k % 10)) });

  // Disabled with no date: left out by default, listed with --include-undated (one is in the file).
  for (let k = 0; k < 6; k++) undated.push(addUndated());
  undated.push(addUndated({ type: "DocSpaceAdmin", email: "undated.admin@example.com" }));
  listedEmails.push(addUndated());

  // Invitations (status 4, Pending) older than 14 days, never accepted: suggested.
  const invite = { status: 4, activationStatus: 2 };
  for (let k = 0; k < 15; k++) expected.push(add({ ...invite, registeredAt: day(`2026-0${1 + (k % 9)}-1${k % 9}`) }));
  expected.push(add({ ...invite, type: "RoomAdmin", registeredAt: day("2026-11-15") })); // 15 days
  // Invitations 14 days old or less, or listed: left out (110, so that list spans two pages).
  for (let k = 0; k < 110; k++) add({ ...invite, registeredAt: day(k % 2 === 0 ? "2026-11-16" : "2026-11-29") });
  for (let k = 0; k < 3; k++) listedEmails.push(add({ ...invite, registeredAt: day("2026-01-05") }));

  // Active accounts whose email was never confirmed (status 1, activationStatus 2): not invitations.
  // Left out by default; with --include-unconfirmed, those created more than 14 days ago, to disable.
  for (let k = 0; k < 11; k++) unconfirmed.push(add({ activationStatus: 2, registeredAt: day(`2026-0${1 + (k % 9)}-0${1 + (k % 9)}`) }));
  unconfirmed.push(add({ activationStatus: 2, type: "DocSpaceAdmin", email: "unconfirmed.admin@example.com", registeredAt: day("2025-12-01") }));
  for (let k = 0; k < 3; k++) add({ activationStatus: 2, registeredAt: day("2026-11-20") });
  listedEmails.push(add({ activationStatus: 2, registeredAt: day("2025-01-01") }));

  // A key that may read accounts but not its own account.
  p.addApiKey(USERS.admin, NO_SELF_KEY, ["accounts:read"]);
  // Everyone else: active, accepted, registered long ago (a few not activated yet, status 0: not an invitation).
  while (p.users.size < 2000) add(i % 50 === 0 ? { activationStatus: 0 } : {});
  expect(p.users.size).toBe(2000);

  const dir = mkdtempSync(join(tmpdir(), "docspace-report-"));
  writeFileSync(
    join(dir, "offboarding.yaml"),
    [
      "version: 1",
      "removals:",
      "  - email: former.lead@example.com",
      "    reason: already here",
      ...listedEmails.map((e) => `  - email: ${e.toUpperCase()}`),
      ...listedIds.map((id) => `  - id: ${id}`),
      "",
    ].join("\n"),
  );
  const env = { ...process.env, DOCSPACE_URL: s.url, DOCSPACE_API_KEY: KEYS.admin, DOCSPACE_MAX_RETRY_DELAY_MS: "200" };
  return { sim: s, dir, expected: expected.sort(), undated: undated.sort(), unconfirmed: unconfirmed.sort(), env };
}

const report = (args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}) => runCommand(process.execPath, [BIN, "report", ...args], opts);

describe("pulumi-docspace report against a portal of 2,000 accounts", () => {
  let portal: Portal;
  beforeAll(async () => {
    portal = await portalOf2000();
  }, 120_000);
  afterAll(async () => {
    await portal?.sim.stop();
    if (portal) rmSync(portal.dir, { recursive: true, force: true });
  });

  it("suggests exactly the known set, each with its reason, as a valid snippet, with GET requests only, paged", async () => {
    const { sim: server, dir, env, expected } = portal;
    server.log.length = 0;
    const r = await report(["--today", TODAY], { cwd: dir, env });
    expect(r.code, r.out).toBe(0);

    const parsed = pkg.parseOffboardingFile(`version: 1\n${r.stdout}`);
    expect(parsed.removals.map((e) => e.email ?? e.id).sort()).toEqual(expected);
    expect(expected).toHaveLength(1 + 25 + 4 + 16);

    const lines = r.stdout.trimEnd().split("\n");
    expect(lines[0]).toBe(`# Suggested by pulumi-docspace report on ${TODAY} for ${server.url} (read-only; nothing was changed)`);
    expect(lines[1]).toBe("removals:");
    for (const line of lines.slice(2)) {
      expect(line).toMatch(/^ {2}- (email|id): \S+ +# (disabled, DocSpace's terminated date \d{4}-\d{2}-\d{2} \(\d+ days ago\), not in offboarding\.yaml|invitation sent \d{4}-\d{2}-\d{2} \(\d+ days ago\) never accepted)/);
    }
    expect(r.stdout).toContain("suspended.sam@example.com   # disabled, DocSpace's terminated date 2026-10-01 (60 days ago), not in offboarding.yaml");
    expect(r.stdout).toMatch(/# disabled, DocSpace's terminated date 2026-05-05 \(209 days ago\), not in offboarding\.yaml; a DocSpace admin: add allowAdmin: true to remove/);
    expect(r.stdout).toContain("# disabled, DocSpace's terminated date 2026-10-30 (31 days ago), not in offboarding.yaml");
    expect(r.stdout).toContain("# invitation sent 2026-11-15 (15 days ago) never accepted");
    expect(r.stdout).not.toMatch(/olivia\.owner|dana\.admin|former\.lead|unconfirmed|date unknown|action:|removeAfter:/);

    expect(r.out).toContain(
      "pulumi-docspace report: 46 suggestions (30 disabled with a terminated date more than 30 days ago, 16 invitations older than 14 days) " +
        "from 204 disabled accounts, 129 pending invitations and 18 active accounts with an unconfirmed email, in 7 read requests; " +
        "left out: 21 accounts already in offboarding.yaml, 150 disabled accounts whose terminated date is 30 days ago or less, 110 invitations 14 days old or less, " +
        "the owner or the key's own account. Nothing was changed.\n",
    );
    expect(r.out).toContain(
      "  7 disabled accounts without a date were left out: DocSpace does not record when an account was disabled through its status route; pass --include-undated to list them.\n",
    );
    expect(r.out).toContain(
      "  15 active accounts whose email was never confirmed were left out: they are live accounts, not invitations; pass --include-unconfirmed to list them (to disable, never to remove).\n",
    );
    expect(r.out).not.toContain("Reading"); // no progress line when stderr is not a terminal

    expect(server.writes()).toEqual([]);
    expect(new Set(server.log.map((q) => q.method))).toEqual(new Set(["GET"]));
    const filters = server.log.filter((q) => q.route === "people/filter").map((q) => new URLSearchParams(q.query));
    const pages = (status: string, activation?: string): string[] =>
      filters.filter((q) => q.get("employeeStatus") === status && (q.get("activationStatus") ?? undefined) === activation).map((q) => q.get("startIndex")!);
    expect(pages("2")).toEqual(["0", "100", "200"]); // 204 disabled accounts
    expect(pages("4")).toEqual(["0", "100"]); // 129 invitations (Pending)
    expect(pages("1", "2")).toEqual(["0"]); // 18 active accounts with an unconfirmed email
    expect(filters).toHaveLength(6);
    for (const q of filters) expect(q.get("count")).toBe(String(MAX_PAGE));
  });

  it("reads the file given with --file, and without any file counts nothing as listed", async () => {
    const { dir, env } = portal;
    const withFile = await report(["--today", TODAY, "--file", join(dir, "offboarding.yaml")], { env });
    expect(withFile.code, withFile.out).toBe(0);
    expect(pkg.parseOffboardingFile(`version: 1\n${withFile.stdout}`).removals).toHaveLength(46);

    const empty = mkdtempSync(join(tmpdir(), "docspace-report-empty-"));
    const noFile = await report(["--today", TODAY], { cwd: empty, env });
    rmSync(empty, { recursive: true, force: true });
    expect(noFile.code, noFile.out).toBe(0);
    const suggested = pkg.parseOffboardingFile(`version: 1\n${noFile.stdout}`).removals.map((e) => e.email);
    expect(suggested).toContain("former.lead@example.com");
    expect(suggested).toHaveLength(46 + 19);
    expect(noFile.stdout).toContain("no offboarding file was read");
    expect(noFile.out).toContain("no offboarding.yaml here, so nothing counts as listed");
  });

  it("moves the thresholds with --disabled-days and --invited-days", async () => {
    const { dir, env } = portal;
    const r = await report(["--today", TODAY, "--disabled-days", "0", "--invited-days=0"], { cwd: dir, env });
    expect(r.code, r.out).toBe(0);
    // The 150 recently disabled are now in, and so are the 110 recent invitations (the newest sent yesterday).
    expect(pkg.parseOffboardingFile(`version: 1\n${r.stdout}`).removals).toHaveLength(46 + 150 + 110);
  });

  it("with --include-undated and --include-unconfirmed, lists those too: undated with removeAfter, unconfirmed with action: disable", async () => {
    const { dir, env, expected, undated, unconfirmed } = portal;
    const r = await report(["--today", TODAY, "--include-undated", "--include-unconfirmed"], { cwd: dir, env });
    expect(r.code, r.out).toBe(0);
    const parsed = pkg.parseOffboardingFile(`version: 1\n${r.stdout}`).removals;
    expect(parsed.map((e) => e.email ?? e.id).sort()).toEqual([...expected, ...undated, ...unconfirmed].sort());
    expect(undated).toHaveLength(7);
    expect(unconfirmed).toHaveLength(12);
    const byEmail = new Map(parsed.map((e) => [e.email ?? e.id, e]));
    // The parser fills in the file's default action, remove: for the undated (with their date) and the usual suggestions.
    for (const email of undated) expect(byEmail.get(email)).toMatchObject({ removeAfter: "2026-12-30", action: "remove" });
    for (const email of unconfirmed) expect(byEmail.get(email)).toMatchObject({ action: "disable", removeAfter: undefined });
    for (const email of expected) expect(byEmail.get(email)).toMatchObject({ action: "remove", removeAfter: undefined });
    expect(r.stdout).toMatch(/- email: undated\.admin@example\.com +# disabled, date unknown \(DocSpace records none\), so removeAfter counts 30 days from today; not in offboarding\.yaml; a DocSpace admin: add allowAdmin: true to remove\n {4}removeAfter: 2026-12-30\n/);
    expect(r.stdout).toMatch(/- email: unconfirmed\.admin@example\.com +# active account, email never confirmed \(created 2025-12-01, 364 days ago\): not an invitation, so disable only, once you know nobody uses it; a DocSpace admin: add allowAdmin: true to disable\n {4}action: disable\n/);
    expect(r.stdout).not.toMatch(/olivia\.owner|dana\.admin/);
    expect(r.out).toContain(
      "pulumi-docspace report: 65 suggestions (30 disabled with a terminated date more than 30 days ago, 7 disabled with no date, 16 invitations older than 14 days, " +
        "12 active accounts with an unconfirmed email created more than 14 days ago) from ",
    );
    expect(r.out).toContain(", 3 active accounts with an unconfirmed email created 14 days ago or less, the owner or the key's own account. Nothing was changed.\n");
    expect(r.out).not.toContain("were left out");
  });

  it("counts days up to DOCSPACE_TODAY when --today is not given; --today wins over it", async () => {
    const { dir, env } = portal;
    // Dates other than the real one, so a report that ignored them could not pass.
    const heading = (day: string): string => `# Suggested by pulumi-docspace report on ${day} for ${portal.sim.url} (read-only; nothing was changed)`;
    const fromEnv = await report([], { cwd: dir, env: { ...env, DOCSPACE_TODAY: "2031-05-06" } });
    expect(fromEnv.code, fromEnv.out).toBe(0);
    expect(fromEnv.stdout.split("\n")[0]).toBe(heading("2031-05-06"));
    const both = await report(["--today", "2031-05-07"], { cwd: dir, env: { ...env, DOCSPACE_TODAY: "2031-05-06" } });
    expect(both.code, both.out).toBe(0);
    expect(both.stdout.split("\n")[0]).toBe(heading("2031-05-07"));
  });

  it("draws a progress line on a terminal only, on stderr, and clears it", async () => {
    const { dir, env } = portal;
    const io = (tty: boolean) => {
      const out = { stdout: "", stderr: "" };
      return { out, io: { stdout: (t: string) => void (out.stdout += t), stderr: (t: string) => void (out.stderr += t), stderrIsTTY: tty, env, cwd: dir } };
    };
    const onTty = io(true);
    expect(await cli.run(["report", "--today", TODAY], onTty.io)).toBe(0);
    expect(onTty.out.stderr).toContain("\r\x1b[2KReading disabled accounts: 100 of ");
    expect(onTty.out.stderr).toContain("\r\x1b[2KReading pending invitations: 100 of 129");
    expect(onTty.out.stderr).toContain("\r\x1b[2KReading active accounts with an unconfirmed email: 18 of 18");
    expect(onTty.out.stderr).toMatch(/\r\x1b\[2Kpulumi-docspace report: 46 suggestions/);
    expect(onTty.out.stdout).not.toContain("Reading");
    const offTty = io(false);
    expect(await cli.run(["report", "--today", TODAY], offTty.io)).toBe(0);
    expect(offTty.out.stderr).not.toContain("Reading");
    expect(offTty.out.stdout).toBe(onTty.out.stdout);
  });

  it("never prints the key: not in the output of a run, a refused key or a refused option", async () => {
    const { dir, env } = portal;
    const runs = [
      await report(["--today", TODAY], { cwd: dir, env }),
      await report(["--today", TODAY], { cwd: dir, env: { ...env, DOCSPACE_API_KEY: "sk-report-wrong-key-9f8e7d6c" } }),
      await report(["--key", KEYS.admin], { cwd: dir, env }),
      await report([`--api-key=${KEYS.admin}`], { cwd: dir, env }),
      await report(["--url", "http://portal.example.com"], { cwd: dir, env }),
    ];
    expect(runs.map((r) => r.code)).toEqual([0, 1, 2, 2, 1]);
    for (const r of runs) {
      expect(r.out).not.toContain(KEYS.admin);
      expect(r.out).not.toContain("sk-report-wrong-key-9f8e7d6c");
      expect(r.out).not.toMatch(/sk-[A-Za-z0-9-]{8,}/);
    }
    expect(runs[1]!.out).toMatch(/HTTP 401.*\n.*DOCSPACE_API_KEY/s);
  });

  it("refuses a key that is not the owner's or a DocSpace admin's, naming what to do", async () => {
    const { dir, env } = portal;
    const r = await report(["--today", TODAY], { cwd: dir, env: { ...env, DOCSPACE_API_KEY: KEYS.roomAdmin } });
    expect(r.code).toBe(1);
    expect(r.out).toContain("team.lead@example.com, who is not the portal owner or a DocSpace admin");
    expect(r.out).toContain("Create a key as the owner or a DocSpace admin");
    expect(r.stdout).toBe("");
  });

  it("refuses a key that may not read its own account, naming the permission to add", async () => {
    const { dir, env } = portal;
    const r = await report(["--today", TODAY], { cwd: dir, env: { ...env, DOCSPACE_API_KEY: NO_SELF_KEY } });
    expect(r.code).toBe(1);
    expect(r.out).toContain("add accounts.self:read");
    expect(r.stdout).toBe("");
  });
});

describe("pulumi-docspace report: help, usage and settings (the built command)", () => {
  const noPortal = { ...process.env, DOCSPACE_URL: "", DOCSPACE_API_KEY: "" };

  it("answers --help with the options and exit status 0, at the top and for report", async () => {
    const top = await runCommand(process.execPath, [BIN, "--help"], { env: noPortal });
    expect(top.code).toBe(0);
    expect(top.stdout).toContain("report     suggest accounts to add to the offboarding file (read-only)");
    expect(top.stdout).toMatch(/archive .*\n  audit /);
    const help = await report(["--help"], { env: noPortal });
    expect(help.code).toBe(0);
    for (const option of ["--file", "--disabled-days", "--invited-days", "--include-undated", "--include-unconfirmed", "--url", "--today", "DOCSPACE_URL", "DOCSPACE_API_KEY"]) {
      expect(help.stdout).toContain(option);
    }
    // What DocSpace does not say, and what the report does about it, is in the help.
    expect(help.stdout).toMatch(/invitations \(status Pending\)/);
    expect(help.stdout).toMatch(/not an invitation/);
    expect(help.stdout).toMatch(/never for removal/);
    expect(help.stdout).toMatch(/without a terminated date are left out/);
    expect(help.stdout).toMatch(/may be older than the current disable/);
    expect(help.stdout).toContain("Exit status: 0 done, 1 a problem");
  });

  it("is the package's `pulumi-docspace` bin, an executable node script inside dist/provider", () => {
    const manifest = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { bin: Record<string, string> };
    expect(manifest.bin).toEqual({ "pulumi-docspace": "dist/provider/cli/bin.js" });
    expect(readFileSync(BIN, "utf8").startsWith("#!/usr/bin/env node\n")).toBe(true);
  });

  it("exits 2 on a command-line mistake, saying what is wrong", async () => {
    const none = await runCommand(process.execPath, [BIN], { env: noPortal });
    expect(none.code).toBe(2);
    expect(none.out).toContain("a command is required");
    const unknown = await runCommand(process.execPath, [BIN, "reprot"], { env: noPortal });
    expect(unknown.code).toBe(2);
    expect(unknown.out).toContain('unknown command "reprot"');
    const bad = await report(["--disabled-days", "soon"], { env: noPortal });
    expect(bad.code).toBe(2);
    expect(bad.out).toContain("--disabled-days must be a whole number of days");
    expect(bad.stdout).toBe("");
  });

  it("exits 2 on a DOCSPACE_TODAY that is not a date, naming it, before any request", async () => {
    const bad = await report([], { env: { ...noPortal, DOCSPACE_URL: "https://portal.example.com", DOCSPACE_API_KEY: "sk-whatever-123456", DOCSPACE_TODAY: "next monday" } });
    expect(bad.code).toBe(2);
    expect(bad.out).toContain("DOCSPACE_TODAY must be a date such as 2026-11-30");
    expect(bad.stdout).toBe("");
  });

  it("exits 1 on missing or unsafe settings, naming the one to fix, before any request", async () => {
    const noUrl = await report([], { env: noPortal });
    expect(noUrl.code).toBe(1);
    expect(noUrl.out).toContain("Set DOCSPACE_URL (or --url)");
    const plain = await report([], { env: { ...noPortal, DOCSPACE_URL: "http://portal.example.com", DOCSPACE_API_KEY: "sk-whatever-123456" } });
    expect(plain.code).toBe(1);
    expect(plain.out).toContain("DOCSPACE_URL uses http:// for portal.example.com");
    const noKey = await report(["--url", "https://portal.example.com"], { env: noPortal });
    expect(noKey.code).toBe(1);
    expect(noKey.out).toContain("Set DOCSPACE_API_KEY");
  });

  it("exits 1 on a missing or invalid offboarding file, with its line numbers", async () => {
    const dir = mkdtempSync(join(tmpdir(), "docspace-report-file-"));
    try {
      const env = { ...noPortal, DOCSPACE_URL: "https://portal.example.com", DOCSPACE_API_KEY: "sk-whatever-123456" };
      const missing = await report(["--file", "nope.yaml"], { cwd: dir, env });
      expect(missing.code).toBe(1);
      expect(missing.out).toContain("nope.yaml: there is no such file");
      writeFileSync(join(dir, "offboarding.yaml"), "version: 1\nremovals:\n  - email: not-an-email\n");
      const invalid = await report([], { cwd: dir, env });
      expect(invalid.code).toBe(1);
      expect(invalid.out).toContain("offboarding.yaml:3:");
      expect(invalid.out).toContain("Fix the file");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
