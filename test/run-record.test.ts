/**
 * What a run's checks have seen across entries (resources/host/run-record.ts): each check reports
 * exactly the cross-entry problems that involve its entry among the entries checked so far, as
 * the rules (offboarding/cross-entry.ts) judge them over all of those entries, in any order.
 */
import { describe, expect, it } from "vitest";
import { fromDist } from "./helpers";
import type * as RunRecordModule from "../provider/resources/host/run-record";
import type * as CrossEntryModule from "../provider/offboarding/cross-entry";

const { RunRecord } = fromDist("provider/resources/host/run-record.js") as typeof RunRecordModule;
const { crossEntryProblems } = fromDist("provider/offboarding/cross-entry.js") as typeof CrossEntryModule;
type Entry = CrossEntryModule.EntryAccounts;

/** The rules over every entry checked so far, kept to those involving the last one checked. */
function reference(seen: Entry[], label: string): string[] {
  const me = seen.findIndex((e) => e.label === label);
  return crossEntryProblems(seen)
    .filter((p) => p.index === me || p.other === me)
    .map((p) => p.message);
}

/** A small deterministic generator, so a failure can be replayed. */
function random(seed: number): () => number {
  let x = seed;
  return () => ((x = (x * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
}

describe("a run's record of the entries it has checked", () => {
  it("reports for each check exactly what the rules say over all entries checked so far, in any order (500 random files of colliding accounts)", () => {
    for (let seed = 1; seed <= 500; seed++) {
      const next = random(seed);
      const ids = ["a", "b", "c", "d", "e", "f"];
      const pick = (): string => ids[Math.floor(next() * ids.length)]!;
      const entries: Entry[] = Array.from({ length: 2 + Math.floor(next() * 6) }, (_, i) => ({ label: `entry${i}`, account: pick(), successor: next() < 0.5 ? pick() : undefined }));
      const order = [...entries].sort(() => next() - 0.5);
      const record = new RunRecord();
      const seen: Entry[] = [];
      for (const e of order) {
        seen.push(e);
        expect(record.recordStep(e), `seed ${seed}, ${e.label}`).toEqual(reference(seen, e.label));
      }
    }
  });

  it("a second step of the same entry (its transfer, then its removal) keeps the successor the first one named", () => {
    const record = new RunRecord();
    expect(record.recordStep({ label: "leaver", account: "l", successor: "s" })).toEqual([]);
    expect(record.recordStep({ label: "successor", account: "s" })).toEqual([expect.stringContaining("also listed for offboarding")]);
    expect(record.recordStep({ label: "leaver", account: "l" })).toEqual([expect.stringContaining("the successor (transferTo) of leaver is successor")]);
  });
});
