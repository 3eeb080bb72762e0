/**
 * The offboarding file's process keys (action, keepProfile, removeAfter): what is accepted, what is
 * refused with its line, and what each entry becomes on a given day (offboarding/plan.ts).
 */
import { describe, expect, it } from "vitest";
import { pkg } from "./helpers";
import { describePlan, planEntry, reversalNote } from "../provider/offboarding/plan";
import * as clock from "../provider/clock";
import * as settings from "../provider/settings-reader";

const { parseOffboardingFile, OffboardingFileError } = pkg;

function problems(text: string): string[] {
  try {
    parseOffboardingFile(text, "f.yaml");
  } catch (e) {
    if (e instanceof OffboardingFileError) return e.issues.map((i) => `${i.line}:${i.column} ${i.message}`);
    throw e;
  }
  return [];
}

describe("the process keys in the offboarding file", () => {
  it("reads action, keepProfile and removeAfter, with remove as the default action", () => {
    const f = parseOffboardingFile(
      [
        "version: 1",
        "defaults:",
        "  transferTo: archive@example.com",
        "removals:",
        "  - email: a@example.com",
        "  - email: b@example.com",
        "    removeAfter: 2027-01-31",
        "  - email: c@example.com",
        "    action: disable",
        "  - email: d@example.com",
        "    action: transfer",
        "    keepProfile: true",
        "",
      ].join("\n"),
    );
    expect(f.removals.map((r) => [r.action, r.removeAfter, r.transferTo])).toEqual([
      ["remove", undefined, "archive@example.com"],
      ["remove", "2027-01-31", "archive@example.com"],
      // A disable moves no data: the defaults' successor is not applied to it.
      ["disable", undefined, undefined],
      ["transfer", undefined, "archive@example.com"],
    ]);
  });

  it.each([
    ["a disable with a successor", ["  - email: a@example.com", "    action: disable", "    transferTo: t@example.com"], /^7:\d+ removals\[0\]\.transferTo: action disable moves no data/],
    ["a disable with a date", ["  - email: a@example.com", "    action: disable", "    removeAfter: 2027-01-31"], /^7:\d+ removals\[0\]\.removeAfter: action disable never removes/],
    ["a transfer without a successor anywhere", ["  - email: a@example.com", "    action: transfer"], /^6:\d+ removals\[0\]\.action: action transfer needs transferTo/],
    ["a transfer that would delete the profile", ["  - email: a@example.com", "    action: transfer", "    transferTo: t@example.com", "    keepProfile: false"], /^8:\d+ removals\[0\]\.keepProfile: action transfer keeps the profile/],
    ["keepProfile on a removal", ["  - email: a@example.com", "    keepProfile: true"], /^6:\d+ removals\[0\]\.keepProfile: keepProfile applies to action transfer only/],
    ["a date that does not exist", ["  - email: a@example.com", "    removeAfter: 2027-02-30"], /^6:\d+ removals\[0\]\.removeAfter: must be a date that exists/],
    ["a date in another format", ["  - email: a@example.com", "    removeAfter: 31/01/2027"], /^6:\d+ removals\[0\]\.removeAfter: must be a date written YYYY-MM-DD/],
    ["an unknown action", ["  - email: a@example.com", "    action: delete"], /^6:\d+ removals\[0\]\.action: must be disable, transfer or remove/],
    ["alreadyRemoved with a date", ["  - email: a@example.com", "    alreadyRemoved: true", "    removeAfter: 2027-01-31"], /alreadyRemoved: alreadyRemoved records an account already gone/],
  ])("refuses %s, naming the line", (_what, entry, message) => {
    const found = problems(["version: 1", "defaults:", "  reason: x", "removals:", ...entry, ""].join("\n"));
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(message);
  });

  it("accepts a transfer whose successor comes from the defaults", () => {
    expect(problems(["version: 1", "defaults:", "  transferTo: t@example.com", "removals:", "  - email: a@example.com", "    action: transfer", ""].join("\n"))).toEqual([]);
  });
});

describe("what an entry becomes on a given day", () => {
  const day = "2027-01-10";
  it.each([
    ["remove, no date", { action: "remove" as const }, { transfer: false, remove: true }],
    ["remove before its date", { action: "remove" as const, removeAfter: "2027-01-31" }, { suspend: { handedOver: false }, transfer: false, remove: false, due: { date: "2027-01-31", daysLeft: 21 } }],
    ["remove on its date", { action: "remove" as const, removeAfter: "2027-01-10" }, { suspend: { handedOver: true }, transfer: false, remove: true, due: { date: "2027-01-10", daysLeft: 0 } }],
    ["remove after its date", { action: "remove" as const, removeAfter: "2027-01-01" }, { suspend: { handedOver: true }, transfer: false, remove: true, due: { date: "2027-01-01", daysLeft: -9 } }],
    ["disable", { action: "disable" as const }, { suspend: { handedOver: false }, transfer: false, remove: false }],
    ["transfer", { action: "transfer" as const }, { suspend: { handedOver: false }, transfer: true, remove: false }],
    ["transfer before its removal date", { action: "transfer" as const, removeAfter: "2027-02-01" }, { suspend: { handedOver: false }, transfer: true, remove: false, due: { date: "2027-02-01", daysLeft: 22 } }],
    ["transfer on its removal date", { action: "transfer" as const, removeAfter: "2027-01-10" }, { suspend: { handedOver: true }, transfer: true, remove: true, due: { date: "2027-01-10", daysLeft: 0 } }],
  ])("%s", (_what, entry, plan) => {
    expect(planEntry(entry, day)).toEqual(plan);
  });

  it("a due transfer entry says its removal comes once the transfer has finished", () => {
    expect(describePlan(planEntry({ action: "transfer", removeAfter: "2027-01-08" }, day))).toBe(
      "data transferred to the successor, profile kept, removed (data and profile; irreversible); removal due on 2027-01-08 (2 days ago): removed in this run, once its transfer has finished",
    );
  });

  it("says when a removal is due, in days", () => {
    expect(describePlan(planEntry({ action: "remove", removeAfter: "2027-01-31" }, day))).toBe("disabled (signed out everywhere; reversible); removal due on 2027-01-31 (in 21 days)");
    expect(describePlan(planEntry({ action: "remove", removeAfter: "2027-01-11" }, day))).toMatch(/\(in 1 day\)$/);
    expect(describePlan(planEntry({ action: "remove", removeAfter: "2027-01-10" }, day))).toBe("removed (data and profile; irreversible); removal due on 2027-01-10 (today): removed in this run");
  });

  it("takes today from docspace:today, else DOCSPACE_TODAY, else the UTC date, and refuses a bad one naming the setting", () => {
    const today = (fromConfig: string | undefined, fromEnv: string | undefined): string =>
      settings.readSetting("today", { config: { get: (k) => (k === "docspace:today" ? fromConfig : undefined) }, env: { DOCSPACE_TODAY: fromEnv } });
    expect(today("2027-01-02", "2027-05-05")).toBe("2027-01-02");
    expect(today(undefined, "2027-05-05")).toBe("2027-05-05");
    expect(today(undefined, undefined)).toBe(clock.utcDay());
    expect(clock.utcDay(new Date("2026-12-31T23:30:00-05:00"))).toBe("2027-01-01");
    expect(() => today("tomorrow", undefined)).toThrow(/docspace:today must be a date written YYYY-MM-DD \(got "tomorrow"\)/);
    expect(() => today(undefined, "2027-13-01")).toThrow(/DOCSPACE_TODAY must be a date/);
  });
});

describe("what the preview says about re-enabling", () => {
  const disabling = planEntry({ action: "disable" }, "2027-01-10");
  it("says, per suspension, that taking its entry out leaves the account disabled and who re-enables it, whatever its status now", () => {
    expect(reversalNote(disabling, false)).toBe("this run disables it; taking the entry out leaves it disabled: once the entry is out, re-enable it in DocSpace if it should come back");
    expect(reversalNote(disabling, true)).toBe("already disabled; taking the entry out leaves it disabled: once the entry is out, re-enable it in DocSpace if it should come back");
    expect(reversalNote(disabling, undefined)).toBe("taking the entry out leaves it disabled: once the entry is out, re-enable it in DocSpace if it should come back");
    expect(reversalNote(planEntry({ action: "transfer" }, "2027-01-10"), true)).toBe("already disabled; taking the entry out leaves it disabled: once the entry is out, re-enable it in DocSpace if it should come back");
    // Handed over to a removal, or no suspension at all: nothing to say.
    expect(reversalNote(planEntry({ action: "remove", removeAfter: "2027-01-01" }, "2027-01-10"), true)).toBe("");
    expect(reversalNote(planEntry({ action: "remove" }, "2027-01-10"), false)).toBe("");
  });
});
