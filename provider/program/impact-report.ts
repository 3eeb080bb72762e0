/**
 * The program's report of what this run does to each person's data (issue: "show what a removal
 * does before anyone approves it"): read-only impact reads for every account the gate would newly
 * act on, one text block per account in the Pulumi output, the same facts as a stack output, and a
 * markdown summary for the pull request (a file named in config, and $GITHUB_STEP_SUMMARY).
 */
import * as pulumi from "@pulumi/pulumi";
import { appendFileSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import type { DocSpaceClient } from "../docspace/client";
import { readImpact, type Impact, type ImpactAction } from "../impact/impact";
import { impactAsOutput, renderImpactBlock, renderImpactSummary, type Json } from "../impact/render";
import type { Plan } from "../resources/gate/assess";

/** An account the gate would newly act on in this run. */
export interface PlannedAction {
  name: string;
  action: ImpactAction;
  plan: Plan;
}

export interface ImpactReport {
  impacts: Array<{ name: string; impact: Impact }>;
  /** Planned accounts left unread because of the limit (docspace:maxImpactReads). */
  unread: string[];
}

/** Reads the impacts, a few accounts at a time (the client's limits pace the requests). Never writes. */
export async function readImpacts(client: DocSpaceClient, planned: PlannedAction[], max: number): Promise<ImpactReport> {
  const read = planned.slice(0, max);
  const impacts: ImpactReport["impacts"] = [];
  for (let i = 0; i < read.length; i += 10) {
    const batch = read.slice(i, i + 10);
    impacts.push(
      ...(await Promise.all(
        batch.map(async (p) => ({ name: p.name, impact: await readImpact(client, { account: p.plan.target, action: p.action, successor: p.plan.successor, keyAccount: p.plan.caller }) })),
      )),
    );
  }
  return { impacts, unread: planned.slice(max).map((p) => p.name) };
}

/**
 * Shows the report: a block per account in the Pulumi output (diagnostics of the stack, which
 * `pulumi preview` prints and pulumi/actions puts in its pull-request comment), and the markdown
 * summary in `summaryFile` and $GITHUB_STEP_SUMMARY. Returns the stack output's data.
 */
export function publishImpacts(report: ImpactReport, opts: { summaryFile?: string }): Record<string, Json> {
  for (const { impact } of report.impacts) void pulumi.log.info(renderImpactBlock(impact));
  if (report.unread.length > 0) {
    void pulumi.log.info(`Impact not read for ${report.unread.length} more account(s) (docspace:maxImpactReads): ${report.unread.slice(0, 10).join(", ")}${report.unread.length > 10 ? ", …" : ""}`);
  }
  const title = "Offboarding plan: what happens to each person's data";
  let summary = renderImpactSummary(
    report.impacts.map((i) => i.impact),
    { title },
  );
  if (report.unread.length > 0) summary += `\n${report.unread.length} more account(s) not read (docspace:maxImpactReads).\n`;
  for (const [where, write] of [
    [opts.summaryFile, (p: string) => writeFileSync(p, summary)],
    [process.env.GITHUB_STEP_SUMMARY, (p: string) => appendFileSync(p, `${summary}\n`)],
  ] as const) {
    if (!where) continue;
    try {
      mkdirSync(dirname(where), { recursive: true });
      write(where);
    } catch (e) {
      // The summary is a report, never a reason to fail a run.
      void pulumi.log.warn(`Could not write the offboarding summary to ${where}: ${(e as Error).message}`);
    }
  }
  return Object.fromEntries(report.impacts.map(({ name, impact }) => [name, impactAsOutput(impact)]));
}
