/** What `pulumi-docspace archive` prints: what it archived, what it left and why, and what to do next. */
import { boundLine } from "../docspace/errors";
import type { ArchiveResult } from "./archive";
import { dayOf, relistedAdvice } from "./ledger-index";
import { describeStep } from "./steps";

const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

export function renderArchive(r: ArchiveResult, labels: { fileLabel: string; ledgerLabel: string }): string {
  const { fileLabel, ledgerLabel } = labels;
  const where = (line: number | undefined): string => (line !== undefined ? ` [${fileLabel}:${line}]` : ` [not in ${fileLabel}]`);
  const out: string[] = [];
  const would = r.dryRun ? "Would archive" : "Archived";
  if (r.archived.length > 0) {
    const steps = r.archived.reduce((n, a) => n + a.steps.length, 0);
    const lines = r.ledgerLines ? ` (lines ${r.ledgerLines.from}-${r.ledgerLines.to})` : "";
    out.push(`${would} ${plural(r.archived.length, "entry", "entries")} (${plural(steps, "step")}) from stack ${r.stack ?? "?"} into ${ledgerLabel}${lines}:`);
    for (const a of r.archived) {
      const erasure = a.steps.find((s) => s.step !== "disable" && s.step !== "keep") ?? a.steps[a.steps.length - 1]!;
      const who = erasure.person.displayName !== "" ? `${boundLine(erasure.person.displayName, 100)}, ` : "";
      out.push(`  ${a.entry} (${who}${erasure.person.userId || "id not recorded"}): ${describeStep(erasure)} ${dayOf(erasure.completedAt)}; proof: ${boundLine(erasure.evidence, 160)}${where(a.fileLine)}`);
      for (const s of a.steps) if (s !== erasure) out.push(`      with: ${describeStep(s)}${s.completedAt ? ` ${dayOf(s.completedAt)}` : ""}`);
    }
  } else {
    out.push(`Nothing new to archive from stack ${r.stack ?? "(no records of this package)"}; ${ledgerLabel} is unchanged.`);
  }
  if (r.alreadyArchived.length > 0) {
    out.push(`Already in ${ledgerLabel}; the records leave the stack at the next \`pulumi up\`:`);
    for (const a of r.alreadyArchived) out.push(`  ${a.entry}${a.fileLine !== undefined ? ` [${fileLabel}:${a.fileLine}: taken out now]` : ""}`);
  }
  const removed = r.edit.removed;
  if (removed.length > 0) {
    out.push(`${r.dryRun ? "Would take" : "Took"} ${plural(removed.length, "entry", "entries")} out of ${fileLabel} (comments and order kept elsewhere): ${removed.map((e) => `${e.entry} (line ${e.line})`).join(", ")}.`);
  }
  if (r.kept.length > 0) {
    out.push(`Not archived (${r.kept.length}):`);
    for (const k of r.kept) out.push(`  ${k.entry}: ${k.why}${where(k.fileLine)}`);
  }
  if (r.relisted.length > 0) {
    out.push(`Listed in ${fileLabel} but already erased according to ${ledgerLabel} (the next preview refuses these):`);
    for (const e of r.relisted) out.push(`  ${fileLabel}:${e.fileLine}: ${e.entry} ${relistedAdvice(e, ledgerLabel)}`);
  }
  if (r.dryRun) out.push("Dry run: nothing was written.");
  else if (r.archived.length > 0 || removed.length > 0) {
    out.push(
      `Next: commit ${fileLabel} and ${ledgerLabel} together. The next \`pulumi up\` drops the archived records from the stack and does nothing at DocSpace (its preview says so for each entry).`,
    );
  }
  out.push("DocSpace was not contacted.");
  return `${out.join("\n")}\n`;
}
