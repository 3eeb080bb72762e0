/**
 * Issue 11 end to end: the real `pulumi preview` (local file backend, passphrase secrets) against
 * the simulator shows what each removal does to the person's data: one readable block per account
 * in the output, the same facts in the stack output `impact`, and a markdown summary in the file
 * named by docspace:summaryFile and in $GITHUB_STEP_SUMMARY. Degraded reads (missing scope, 402,
 * a failing route) say "unknown (why)" and the preview still succeeds. Never a write, never the key.
 * Runs where `pulumi` is on PATH; PULUMI_DOCSPACE_E2E=required makes a missing CLI fail.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { expectEveryFaultFired, KEYS, localBackendEnv, pulumiCliOnPath, ROOT, runCommand, sim, startSimulator, USERS, writesTo, type CommandResult, type Simulator } from "./helpers";

const hasCli = pulumiCliOnPath("e2e-impact");

/** The Pulumi project run (Pulumi.yaml at the repository root, its program in dist/). */
const PROJECT = ROOT;

const KB = 1024;
const MB = 1024 * KB;
const GB = 1024 * MB;
const OLIVIA = "Olivia Owner <olivia.owner@example.com>";
const TESS = "Tess Lead <team.lead@example.com>";
const OLIVIA_REF = { id: USERS.owner, name: "Olivia Owner", email: "olivia.owner@example.com" };
const TESS_REF = { id: USERS.teamLead, name: "Tess Lead", email: "team.lead@example.com" };
/** A key with account permissions but no room scope (nor a global one). */
const NO_ROOMS_KEY = "sk-sim-norooms-6c2e9a1f4b7d3058";

type Unknown = { unknown: string };
/** The stack output `impact`, per account, as impactAsOutput (provider/impact/render.ts) shapes it. */
interface ImpactOutput {
  account: { id: string; name: string; email?: string; kind: string; isOwner: boolean; signIn: string; status: string; disabledSince?: string; registeredAt?: string };
  action: string;
  rooms: { total: number; titles: string[]; atLeast?: true; countedFromCreatedBy?: { read: number; listed?: number } } | Unknown;
  roomsGoTo: { id?: string; name: string; email?: string };
  personalData: { bytes: number | Unknown; human?: string; fate: string };
  sharedItemsGoTo?: { id?: string; name: string; email?: string };
  successor?: { id?: string; name: string; email?: string };
  ownsOrJoinsRooms?: boolean | Unknown;
  managedGroups: Array<{ id: string; name: string }> | Unknown;
  pendingInvitationsSent: number | Unknown;
  warnings: string[];
}

describe.skipIf(!hasCli)("pulumi preview shows what each removal does to the person's data (issue 11)", () => {
  let s: Simulator;
  let dir: string;
  let file: string;
  let summaryFile: string;
  let stepSummary: string;
  let env: NodeJS.ProcessEnv;
  const stack = `e2e-impact-${process.pid}`;
  /** Everything the CLI printed and the program wrote, for the last test's search for keys. */
  const seen: string[] = [];

  async function pulumi(args: string[], input?: string): Promise<CommandResult> {
    const r = await runCommand("pulumi", [...args, "--cwd", PROJECT, "--stack", stack, "--non-interactive"], { env, input });
    seen.push(r.out);
    return r;
  }

  async function config(key: string, value: string, secret = false): Promise<void> {
    const r = secret ? await pulumi(["config", "set", "--secret", key], value) : await pulumi(["config", "set", key, value]);
    expect(r.code, r.out).toBe(0);
  }

  async function unset(key: string): Promise<void> {
    expect((await pulumi(["config", "rm", key])).code).toBe(0);
  }

  function entries(lines: string[]): void {
    writeFileSync(file, ["version: 1", "removals:", ...lines].join("\n") + "\n");
  }

  /** Both summary files, removed so that a run's own writing is what a test reads. */
  function clearSummaries(): void {
    rmSync(summaryFile, { force: true });
    rmSync(stepSummary, { force: true });
  }

  function readSummary(path: string): string {
    const text = readFileSync(path, "utf8");
    seen.push(text);
    return text;
  }

  /** A plain `pulumi preview` that must succeed and write nothing at the portal. */
  async function preview(): Promise<string> {
    const before = writesTo(s).length;
    const r = await pulumi(["preview"]);
    expect(r.code, r.out).toBe(0);
    expect(writesTo(s).slice(before)).toEqual([]);
    return r.out;
  }

  /**
   * The stack outputs a preview plans, as data: `pulumi preview --json` leaves the stack's outputs
   * out of its steps, but the plan `--save-plan` writes carries them (the stack resource's state).
   */
  async function plannedOutputs(): Promise<{ impact?: Record<string, ImpactOutput>; outputs: Record<string, unknown> }> {
    const before = writesTo(s).length;
    const path = join(dir, "plan.json");
    rmSync(path, { force: true });
    const r = await pulumi(["preview", "--save-plan", path]);
    expect(r.code, r.out).toBe(0);
    expect(writesTo(s).slice(before)).toEqual([]);
    const text = readFileSync(path, "utf8");
    seen.push(text);
    const plan = JSON.parse(text) as { resourcePlans: Record<string, { goal?: { type: string }; state?: Record<string, unknown> }> };
    const stackPlan = Object.values(plan.resourcePlans).find((x) => x.goal?.type === "pulumi:pulumi:Stack");
    const outputs = stackPlan?.state ?? {};
    return { impact: outputs.impact as Record<string, ImpactOutput> | undefined, outputs };
  }

  /** The preview's Diagnostics section (the progress lines above it show only a message's first line). */
  function diagnostics(out: string): string {
    const from = out.indexOf("\nDiagnostics:");
    expect(from, out).toBeGreaterThanOrEqual(0);
    const to = out.indexOf("\nOutputs:", from);
    return out.slice(from, to < 0 ? undefined : to);
  }

  /** The block logged for one account: its headline and the indented lines below it, trimmed. */
  function blockFor(out: string, email: string): string[] {
    const lines = diagnostics(out).split("\n");
    const start = lines.findIndex((l) => l.includes(`<${email}>: `));
    expect(start, `no impact block for ${email} in:\n${out}`).toBeGreaterThanOrEqual(0);
    const block = [lines[start]!.trim()];
    for (const l of lines.slice(start + 1)) {
      if (!/^\s+(Account|Rooms owned|Personal documents|Owns or joins rooms|Owns or joins rooms, or shares items|Groups managed|Invitations they sent, never accepted|Warning):/.test(l)) break;
      block.push(l.trim());
    }
    return block;
  }

  /** How many impact blocks the output holds (each has exactly one "Rooms owned:" line). */
  const blockCount = (out: string): number => (out.match(/^\s+Rooms owned: /gm) ?? []).length;

  beforeAll(async () => {
    s = await startSimulator({ taskDurationMs: 500, rateLimits: {} }); // DocSpace's default limits
    dir = mkdtempSync(join(tmpdir(), "pulumi-e2e-impact-"));
    file = join(dir, "offboarding.yaml");
    summaryFile = join(dir, "reports", "offboarding-summary.md");
    stepSummary = join(dir, "github-step-summary.md");
    // Only the stack config names the portal and the key.
    env = localBackendEnv(dir, { DOCSPACE_URL: "", DOCSPACE_API_KEY: "", GITHUB_STEP_SUMMARY: stepSummary });
    const init = await runCommand("pulumi", ["stack", "init", stack, "--cwd", PROJECT, "--non-interactive"], { env });
    expect(init.code, init.out).toBe(0);
    await config("docspace:url", s.url);
    await config("docspace:offboardingFile", file);
    // Relative to the project (Pulumi.yaml's folder), as a workflow names it; here it leads out to the temporary folder.
    await config("docspace:summaryFile", relative(PROJECT, summaryFile));
    await config("docspace:apiKey", KEYS.owner, true);
  }, 120_000);

  afterEach(() => expectEveryFaultFired(s));

  afterAll(async () => {
    await pulumi(["stack", "rm", "--yes", "--force"]);
    rmSync(dir, { recursive: true, force: true });
    await s?.stop();
  }, 120_000);

  describe("1. every line of the block, for every kind of step", () => {
    let out: string;
    let ids: Record<string, string>;

    beforeAll(async () => {
      const p = s.portal;
      const rita = p.addUser({ email: "rita.rooms@example.com", firstName: "Rita", lastName: "Rooms", type: "RoomAdmin", usedSpace: 1.5 * GB });
      p.addRoom({ title: "Design reviews", ownerId: rita.id });
      p.addRoom({ title: "Q3 launch", ownerId: rita.id, archived: true });
      const tom = p.addUser({ email: "tom.transfer@example.com", firstName: "Tom", lastName: "Transfer", type: "RoomAdmin", usedSpace: 300 * KB });
      p.addRoom({ title: "Vendor contracts", ownerId: tom.id });
      const kim = p.addUser({ email: "kim.keep@example.com", firstName: "Kim", lastName: "Keep", type: "RoomAdmin", usedSpace: 40 * MB });
      p.addRoom({ title: "Kim's research", ownerId: kim.id });
      const dora = p.addUser({ email: "dora.disable@example.com", firstName: "Dora", lastName: "Disable", type: "User", usedSpace: 5 * MB });
      p.addRoom({ title: "Dora's drafts", ownerId: dora.id });
      const sara = p.addUser({ email: "sara.sso@example.com", firstName: "Sara", lastName: "Sso", type: "User", sso: true, usedSpace: 12 * MB });
      const leo = p.addUser({ email: "leo.ldap@example.com", firstName: "Leo", lastName: "Ldap", type: "User", ldap: true, status: 2, terminatedAt: new Date("2026-03-04T09:30:00Z"), usedSpace: 700 });
      const gary = p.addUser({ email: "gary.group@example.com", firstName: "Gary", lastName: "Group", type: "User", usedSpace: 2 * MB });
      const field = p.addGroup({ name: "Field team", managerId: gary.id, memberIds: [USERS.mark] });
      p.addGroup({ name: "Everyone", managerId: USERS.teamLead, memberIds: [gary.id] }); // a member, not the manager
      for (const n of [1, 2]) p.addUser({ email: `gary.invitee${n}@example.com`, type: "User", activationStatus: 2, invitedById: gary.id });
      p.addUser({ email: "gary.accepted@example.com", type: "User", activationStatus: 1, invitedById: gary.id });
      const ivy = p.addUser({ email: "ivy.invited@example.com", firstName: "Ivy", lastName: "Invited", type: "User", activationStatus: 2, invitedById: USERS.teamLead });
      ids = { rita: rita.id, tom: tom.id, kim: kim.id, dora: dora.id, sara: sara.id, leo: leo.id, gary: gary.id, field: field.id, ivy: ivy.id };

      entries([
        "  - email: rita.rooms@example.com",
        "  - email: tom.transfer@example.com",
        "    transferTo: team.lead@example.com",
        "  - email: kim.keep@example.com",
        "    action: transfer",
        "    transferTo: team.lead@example.com",
        "  - email: dora.disable@example.com",
        "    action: disable",
        "  - email: sara.sso@example.com",
        "  - email: leo.ldap@example.com",
        "  - email: gary.group@example.com",
        "  - email: ivy.invited@example.com",
      ]);
      clearSummaries();
      out = await preview();
    }, 300_000);

    it("a removal without transferTo of someone who owns rooms: the rooms and the shared items go to the key's owner, the rest is deleted, and a warning names the rooms", () => {
      expect(blockFor(out, "rita.rooms@example.com")).toEqual([
        `Rita Rooms <rita.rooms@example.com>: remove: rooms and shared items go to ${OLIVIA}, the rest of the personal documents and the profile are deleted`,
        expect.stringMatching(/^Account: room admin, signs in with a DocSpace password; active \(registered \d{4}-\d\d-\d\d\)$/),
        `Rooms owned: 2 (Design reviews, Q3 launch) → owned afterwards by ${OLIVIA}`,
        `Personal documents: 1.5 GB → the items they shared (with people, groups or by link) move to a new folder named after them in the My documents of ${OLIVIA}; everything else in My documents and its trash is deleted with the profile, up to 1.5 GB`,
        "Owns or joins rooms: yes (reassign/necessary)",
        "Groups managed: none",
        "Invitations they sent, never accepted: 0",
        "Warning: Owns 2 rooms (Design reviews, Q3 launch), which go to Olivia Owner because no transferTo is set; set transferTo to choose who gets them.",
      ]);
    });

    it("a transfer (remove with transferTo): rooms and shared items go to the successor; a transfer does not save personal documents", () => {
      expect(blockFor(out, "tom.transfer@example.com")).toEqual([
        `Tom Transfer <tom.transfer@example.com>: transfer to ${TESS}, then delete the profile`,
        expect.stringMatching(/^Account: room admin, signs in with a DocSpace password; active/),
        `Rooms owned: 1 (Vendor contracts) → owned afterwards by ${TESS}`,
        `Personal documents: 300 KB → only the items they shared (with people, groups or by link) move to a new folder named after them in the My documents of ${TESS}; everything else in My documents and its trash is deleted with the profile, up to 300 KB (a transfer does not save personal documents)`,
        "Owns or joins rooms: yes (reassign/necessary)",
        "Groups managed: none",
        "Invitations they sent, never accepted: 0",
      ]);
    });

    it("a transfer keeping the profile (action: transfer): the rest stays with the disabled profile", () => {
      expect(blockFor(out, "kim.keep@example.com")).toEqual([
        `Kim Keep <kim.keep@example.com>: transfer to ${TESS}, keeping the disabled profile`,
        expect.stringMatching(/^Account: room admin, signs in with a DocSpace password; active/),
        `Rooms owned: 1 (Kim's research) → owned afterwards by ${TESS}`,
        `Personal documents: 40 MB → the items they shared (with people, groups or by link) move to a new folder named after them in the My documents of ${TESS}; the rest (My documents and its trash) stays with the disabled profile, nothing is deleted`,
        "Owns or joins rooms: yes (reassign/necessary)",
        "Groups managed: none",
        "Invitations they sent, never accepted: 0",
      ]);
    });

    it("a disable (action: disable): data untouched, the rooms stay, no transfer question", () => {
      expect(blockFor(out, "dora.disable@example.com")).toEqual([
        "Dora Disable <dora.disable@example.com>: disable only: signed out everywhere, data untouched",
        expect.stringMatching(/^Account: user, signs in with a DocSpace password; active/),
        "Rooms owned: 1 (Dora's drafts) → stay with the disabled account",
        "Personal documents: 5.0 MB → untouched",
        "Groups managed: none",
        "Invitations they sent, never accepted: 0",
      ]);
    });

    it("SSO and LDAP accounts (the LDAP one disabled already, so removable): the sign-in and the identity-provider warning", () => {
      expect(blockFor(out, "sara.sso@example.com")).toEqual([
        `Sara Sso <sara.sso@example.com>: remove: rooms and shared items go to ${OLIVIA}, the rest of the personal documents and the profile are deleted`,
        expect.stringMatching(/^Account: user, signs in through SSO; active \(registered \d{4}-\d\d-\d\d\)$/),
        "Rooms owned: none",
        `Personal documents: 12 MB → the items they shared (with people, groups or by link) move to a new folder named after them in the My documents of ${OLIVIA}; everything else in My documents and its trash is deleted with the profile, up to 12 MB`,
        "Owns or joins rooms: no (reassign/necessary)",
        "Groups managed: none",
        "Invitations they sent, never accepted: 0",
        "Warning: Signs in with SSO: the identity provider may create the account again at its next sign-in; remove or block it there too.",
      ]);
      expect(blockFor(out, "leo.ldap@example.com")).toEqual([
        `Leo Ldap <leo.ldap@example.com>: remove: rooms and shared items go to ${OLIVIA}, the rest of the personal documents and the profile are deleted`,
        // A disabled account, with the day it was disabled.
        "Account: user, signs in through LDAP; disabled (DocSpace's terminated date 2026-03-04, which may be older than this disable)",
        "Rooms owned: none",
        `Personal documents: 700 B → the items they shared (with people, groups or by link) move to a new folder named after them in the My documents of ${OLIVIA}; everything else in My documents and its trash is deleted with the profile, up to 700 B`,
        "Owns or joins rooms: no (reassign/necessary)",
        "Groups managed: none",
        "Invitations they sent, never accepted: 0",
        "Warning: Signs in with LDAP: the identity provider may create the account again at its next sign-in; remove or block it there too.",
      ]);
    });

    it("a group manager (not the groups they only belong to), and the invitations they sent that were never accepted", () => {
      expect(blockFor(out, "gary.group@example.com")).toEqual([
        `Gary Group <gary.group@example.com>: remove: rooms and shared items go to ${OLIVIA}, the rest of the personal documents and the profile are deleted`,
        expect.stringMatching(/^Account: user, signs in with a DocSpace password; active/),
        "Rooms owned: none",
        `Personal documents: 2.0 MB → the items they shared (with people, groups or by link) move to a new folder named after them in the My documents of ${OLIVIA}; everything else in My documents and its trash is deleted with the profile, up to 2.0 MB`,
        "Owns or joins rooms: no (reassign/necessary)",
        "Groups managed: Field team → left without a manager",
        "Invitations they sent, never accepted: 2",
        "Warning: Manages the group Field team, which will have no manager.",
      ]);
    });

    it("an account invited and never accepted", () => {
      expect(blockFor(out, "ivy.invited@example.com")).toEqual([
        `Ivy Invited <ivy.invited@example.com>: remove: rooms and shared items go to ${OLIVIA}, the rest of the personal documents and the profile are deleted`,
        "Account: user, signs in with a DocSpace password; invited, never accepted the invitation",
        "Rooms owned: none",
        `Personal documents: 0 B → the items they shared (with people, groups or by link) move to a new folder named after them in the My documents of ${OLIVIA}; everything else in My documents and its trash is deleted with the profile, 0 B`,
        "Owns or joins rooms: no (reassign/necessary)",
        "Groups managed: none",
        "Invitations they sent, never accepted: 0",
      ]);
    });

    it("exactly one block per account, and the preview lists the `impact` output", () => {
      expect(blockCount(diagnostics(out))).toBe(8);
      expect(out.slice(out.indexOf("\nOutputs:"))).toMatch(/^ {4}impact +: \{$/m);
    });

    it("the stack output `impact` carries the same facts as data (the plan of pulumi preview --save-plan)", async () => {
      const { impact } = await plannedOutputs();
      expect(Object.keys(impact ?? {}).sort()).toEqual(
        ["dora.disable", "gary.group", "ivy.invited", "kim.keep", "leo.ldap", "rita.rooms", "sara.sso", "tom.transfer"].map((n) => `${n}@example.com`),
      );
      const i = impact!;
      expect(i["rita.rooms@example.com"]).toEqual({
        account: { id: ids.rita, name: "Rita Rooms", email: "rita.rooms@example.com", kind: "RoomAdmin", isOwner: false, signIn: "standard", status: "active", registeredAt: expect.any(String) },
        action: "remove",
        rooms: { total: 2, titles: ["Design reviews", "Q3 launch"] },
        roomsGoTo: OLIVIA_REF,
        personalData: { bytes: 1.5 * GB, human: "1.5 GB", fate: "shared-moved-rest-deleted" },
        sharedItemsGoTo: OLIVIA_REF,
        ownsOrJoinsRooms: true,
        managedGroups: [],
        pendingInvitationsSent: 0,
        warnings: ["Owns 2 rooms (Design reviews, Q3 launch), which go to Olivia Owner because no transferTo is set; set transferTo to choose who gets them."],
      });
      expect(i["tom.transfer@example.com"]).toMatchObject({
        action: "remove",
        rooms: { total: 1, titles: ["Vendor contracts"] },
        roomsGoTo: TESS_REF,
        sharedItemsGoTo: TESS_REF,
        successor: TESS_REF,
        personalData: { bytes: 300 * KB, human: "300 KB", fate: "shared-moved-rest-deleted" },
        ownsOrJoinsRooms: true,
        warnings: [],
      });
      expect(i["kim.keep@example.com"]).toMatchObject({
        action: "transfer",
        roomsGoTo: TESS_REF,
        sharedItemsGoTo: TESS_REF,
        successor: TESS_REF,
        personalData: { bytes: 40 * MB, human: "40 MB", fate: "shared-moved-rest-kept" },
      });
      expect(i["dora.disable@example.com"]).toMatchObject({
        action: "disable",
        rooms: { total: 1, titles: ["Dora's drafts"] },
        roomsGoTo: { id: ids.dora, name: "Dora Disable" },
        personalData: { bytes: 5 * MB, human: "5.0 MB", fate: "untouched" },
        warnings: [],
      });
      expect(i["dora.disable@example.com"]).not.toHaveProperty("ownsOrJoinsRooms");
      expect(i["dora.disable@example.com"]).not.toHaveProperty("sharedItemsGoTo");
      expect(i["sara.sso@example.com"]!.account).toMatchObject({ signIn: "SSO", status: "active" });
      expect(i["sara.sso@example.com"]!.warnings).toEqual([expect.stringMatching(/^Signs in with SSO: the identity provider may create the account again/)]);
      expect(i["leo.ldap@example.com"]!.account).toMatchObject({ signIn: "LDAP", status: "disabled", disabledSince: expect.stringMatching(/^2026-03-04T09:30:00/) });
      expect(i["leo.ldap@example.com"]!.warnings).toEqual([expect.stringMatching(/^Signs in with LDAP: /)]);
      expect(i["gary.group@example.com"]).toMatchObject({ managedGroups: [{ id: ids.field, name: "Field team" }], pendingInvitationsSent: 2, warnings: ["Manages the group Field team, which will have no manager."] });
      expect(i["ivy.invited@example.com"]!.account).toMatchObject({ id: ids.ivy, status: "invited" });
    }, 300_000);

    it("the markdown summary: in the file named by docspace:summaryFile, and appended to $GITHUB_STEP_SUMMARY", () => {
      const summary = readSummary(summaryFile);
      const lines = summary.split("\n");
      expect(lines.slice(0, 4)).toEqual([
        "### Offboarding plan: what happens to each person's data",
        "",
        "| Account | Action | Rooms → new owner | Personal data deleted | Shared items moved | Warnings |",
        "|---|---|---|---|---|---|",
      ]);
      const rows = lines.filter((l) => l.startsWith("| ") && !l.startsWith("| Account |"));
      expect(rows).toHaveLength(8);
      expect(rows).toEqual([
        "| rita.rooms@example.com (Rita Rooms) | remove | 2 → Olivia Owner | up to 1.5 GB, all but shared items | any → Olivia Owner | Owns 2 rooms (Design reviews, Q3 launch), which go to Olivia Owner because no transferTo is set; set transferTo to choose who gets them. |",
        "| tom.transfer@example.com (Tom Transfer) | transfer, remove | 1 → Tess Lead | up to 300 KB, all but shared items | any → Tess Lead |  |",
        "| kim.keep@example.com (Kim Keep) | transfer, keep profile | 1 → Tess Lead | none | any → Tess Lead |  |",
        "| dora.disable@example.com (Dora Disable) | disable | 1 (unchanged) | none | none |  |",
        expect.stringMatching(/^\| sara\.sso@example\.com \(Sara Sso\) \| remove \| none \| up to 12 MB, all but shared items \| any → Olivia Owner \| Signs in with SSO: /),
        expect.stringMatching(/^\| leo\.ldap@example\.com \(Leo Ldap\) \| remove \| none \| up to 700 B, all but shared items \| any → Olivia Owner \| Signs in with LDAP: /),
        "| gary.group@example.com (Gary Group) | remove | none | up to 2.0 MB, all but shared items | any → Olivia Owner | Manages the group Field team, which will have no manager. |",
        "| ivy.invited@example.com (Ivy Invited) | remove | none | 0 B, all but shared items | any → Olivia Owner |  |",
      ]);
      // One preview, one summary appended (the --save-plan preview above appended a second, identical one).
      const step = readSummary(stepSummary);
      expect(step.startsWith(`${summary}\n`)).toBe(true);
      expect(step.split("### Offboarding plan").length - 1).toBe(2);
    });
  });

  describe("2. degraded reads: the preview exits 0, the block says unknown (why), nothing is written", () => {
    /** A fresh account that owns two rooms and manages a group, listed for removal without transferTo. */
    function leaverWithRooms(name: string): string {
      const u = s.portal.addUser({ email: `${name}@example.com`, firstName: name[0]!.toUpperCase() + name.slice(1, name.indexOf(".")), lastName: "Degraded", type: "RoomAdmin", usedSpace: 3 * MB });
      s.portal.addRoom({ title: `${name} room A`, ownerId: u.id });
      s.portal.addRoom({ title: `${name} room B`, ownerId: u.id });
      s.portal.addGroup({ name: `${name} group`, managerId: u.id, memberIds: [] });
      entries([`  - email: ${u.email}`]);
      return u.email;
    }

    it("a key without rooms:read (but with accounts:write): rooms unknown (the key lacks rooms:read), and a warning that any go to the key's owner", async () => {
      const email = leaverWithRooms("nina.noscope");
      s.portal.addApiKey(USERS.owner, NO_ROOMS_KEY, ["accounts:write", "accounts.self:read"]);
      await config("docspace:apiKey", NO_ROOMS_KEY, true);
      // keys/@self needs a global scope, so the gate cannot see this key's permissions: only a preview-only run plans with it.
      await config("docspace:previewOnly", "true");
      try {
        const roomReads = s.requests("GET files/rooms").length;
        const out = await preview();
        expect(s.requests("GET files/rooms").length).toBeGreaterThan(roomReads); // asked, and refused
        const block = blockFor(out, email);
        expect(block).toContain(`Rooms owned: unknown (the key lacks rooms:read); any go to ${OLIVIA}`);
        expect(block).toContain("Owns or joins rooms: yes (reassign/necessary)");
        expect(block).toContain("Groups managed: nina.noscope group → left without a manager");
        expect(block).toContain(
          "Warning: Rooms owned are unknown (the key lacks rooms:read); any go to Olivia Owner because no transferTo is set; set transferTo to choose who gets them.",
        );
        expect(readSummary(summaryFile)).toContain("| unknown (the key lacks rooms:read) → Olivia Owner |");
      } finally {
        await unset("docspace:previewOnly");
        await config("docspace:apiKey", KEYS.owner, true);
      }
    }, 300_000);

    it("402 Payment Required on GET files/rooms: rooms unknown (402 payment required)", async () => {
      const email = leaverWithRooms("pat.payment");
      s.inject(sim.paymentRequired("GET files/rooms"));
      const out = await preview();
      const block = blockFor(out, email);
      expect(block).toContain(`Rooms owned: unknown (402 payment required); any go to ${OLIVIA}`);
      expect(block).toContain(`Personal documents: 3.0 MB → the items they shared (with people, groups or by link) move to a new folder named after them in the My documents of ${OLIVIA}; everything else in My documents and its trash is deleted with the profile, up to 3.0 MB`);
      expect(block).toContain("Groups managed: pat.payment group → left without a manager");
      const { impact } = await plannedOutputs();
      expect(impact?.[email]?.rooms).toEqual({ unknown: "402 payment required" });
    }, 300_000);

    it("GET group/user/{userid} failing with 500 every time changes nothing: the groups come with the profile the look read", async () => {
      const email = leaverWithRooms("gil.groupfail");
      s.inject({ route: "GET group/user/{userid}", kind: "500", times: 1_000_000, trap: true });
      const mark = s.log.length;
      const out = await preview();
      const block = blockFor(out, email);
      expect(block).toContain("Groups managed: gil.groupfail group → left without a manager");
      expect(block).toContain(`Rooms owned: 2 (gil.groupfail room A, gil.groupfail room B) → owned afterwards by ${OLIVIA}`);
      expect(block).toContain("Invitations they sent, never accepted: 0");
      expect(s.log.slice(mark).filter((r) => r.route === "group/user/{userid}")).toEqual([]);
      expect(readSummary(summaryFile)).toContain(email);
    }, 300_000);
  });

  describe("3. docspace:maxImpactReads", () => {
    afterAll(async () => {
      await pulumi(["config", "rm", "docspace:maxImpactReads"]);
    });

    it("0 turns the report off: no block, no `impact` output, no summary", async () => {
      const u = s.portal.addUser({ email: "otto.off@example.com", type: "RoomAdmin", usedSpace: 8 * MB });
      s.portal.addRoom({ title: "Otto's room", ownerId: u.id });
      entries([`  - email: ${u.email}`]);
      await config("docspace:maxImpactReads", "0");
      clearSummaries();
      const roomReads = s.requests("GET files/rooms").length;
      const out = await preview();
      expect(out).toContain("otto.off@example.com");
      expect(out).not.toMatch(/Rooms owned:|Personal documents:|Otto's room/);
      expect(out).not.toMatch(/^\s+impact\s*:/m);
      const { outputs } = await plannedOutputs();
      expect(outputs).toHaveProperty("accounts");
      expect(outputs).not.toHaveProperty("impact");
      expect(s.requests("GET files/rooms").length).toBe(roomReads);
      expect(existsSync(summaryFile)).toBe(false);
      expect(existsSync(stepSummary)).toBe(false);
    }, 300_000);

    it("more accounts planned than the cap: those read get blocks, the rest are counted and named", async () => {
      const names = ["cap.one", "cap.two", "cap.three"].map((n) => s.portal.addUser({ email: `${n}@example.com`, type: "User", usedSpace: MB }).email);
      entries(names.map((e) => `  - email: ${e}`));
      await config("docspace:maxImpactReads", "2");
      clearSummaries();
      const out = await preview();
      expect(blockCount(diagnostics(out))).toBe(2);
      blockFor(out, "cap.one@example.com");
      blockFor(out, "cap.two@example.com");
      expect(diagnostics(out)).toContain("Impact not read for 1 more account(s) (docspace:maxImpactReads): cap.three@example.com");
      expect(readSummary(summaryFile)).toContain("\n1 more account(s) not read (docspace:maxImpactReads).\n");
      const { impact } = await plannedOutputs();
      expect(Object.keys(impact ?? {}).sort()).toEqual(["cap.one@example.com", "cap.two@example.com"]);
    }, 300_000);
  });

  it("4. no API key in any output, the summary file or the step summary", () => {
    for (const path of [summaryFile, stepSummary]) if (existsSync(path)) seen.push(readFileSync(path, "utf8"));
    expect(seen.length).toBeGreaterThan(10);
    const all = seen.join("\n");
    expect(all).toContain("Rooms owned:"); // the outputs searched include the impact blocks
    for (const key of [...Object.values(KEYS), NO_ROOMS_KEY]) expect(all).not.toContain(key);
    expect(all).not.toMatch(/sk-sim-[0-9a-z-]{10,}/);
  });
});
