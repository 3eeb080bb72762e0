/**
 * The archive routine with the real Pulumi CLI (a local file backend, the simulator): offboard
 * three, archive (which runs `pulumi stack export` itself), preview (Pulumi's delete of each
 * archived record, and the program's line saying nothing happens at DocSpace), up (no write),
 * audit, add one more. Runs where `pulumi` is on PATH (`npm run cli`); CI requires it.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dropCliStack, initCliStack, KEYS, localBackendEnv, pulumiCliOnPath, ROOT, runCommand, startSimulator, writesTo, type CommandResult, type Simulator } from "./helpers";

const hasCli = pulumiCliOnPath("e2e-history");
const BIN = join(ROOT, "dist/provider/cli/bin.js");

describe.skipIf(!hasCli)("archive and audit with the real pulumi CLI", () => {
  let s: Simulator;
  let dir: string;
  let file: string;
  let env: NodeJS.ProcessEnv;
  const stack = `e2e-history-${process.pid}`;

  const pulumi = (args: string[], input?: string): Promise<CommandResult> => runCommand("pulumi", [...args, "--cwd", ROOT, "--stack", stack, "--non-interactive"], { env, input });
  const cli = (args: string[]): Promise<CommandResult> => runCommand(process.execPath, [BIN, ...args, "--file", file, "--stack", stack], { cwd: ROOT, env });

  beforeAll(async () => {
    s = await startSimulator({ taskDurationMs: 300 });
    dir = mkdtempSync(join(tmpdir(), "pulumi-e2e-history-"));
    file = join(dir, "offboarding.yaml");
    env = localBackendEnv(dir);
    await initCliStack(stack, env, { "docspace:url": s.url, "docspace:offboardingFile": file }, KEYS.owner);
  }, 120_000);

  afterAll(() => dropCliStack(stack, env, dir, s), 120_000);

  it("offboard three, archive, preview and up drop their records with no write, the audit finds them, one more is offboarded", async () => {
    const people = ["ann", "ben", "cid"].map((n) => s.portal.addUser({ email: `${n}.e2e-history@example.com` }));
    writeFileSync(file, ["version: 1", "removals:", "  # three leavers", ...people.map((p, i) => `  - email: ${p.email}\n    reason: "HR-30${i}"`), ""].join("\n"));
    const up = await pulumi(["up", "--yes"]);
    expect(up.code, up.out).toBe(0);
    for (const p of people) expect(s.portal.liveUser(p.id)).toBeUndefined();

    // archive reads the stack through `pulumi stack export`, never the portal.
    let requests = s.requests().length;
    const archived = await cli(["archive"]);
    expect(archived.code, archived.out).toBe(0);
    expect(s.requests().length).toBe(requests);
    expect(archived.stdout).toMatch(new RegExp(`^Archived 3 entries \\(3 steps\\) from stack ${stack} into .*offboarding\\.ledger\\.jsonl \\(lines 1-4\\):`));
    expect(readFileSync(file, "utf8")).toBe("version: 1\nremovals: []\n");

    const writes = writesTo(s).length;
    const preview = await pulumi(["preview"]);
    expect(preview.code, preview.out).toBe(0);
    for (const p of people) {
      expect(preview.out).toMatch(new RegExp(`-\\s+pulumi-nodejs:dynamic/docspace:UserRemoval\\s+${p.email.replace(/\./g, "\\.")}\\s+delete`));
      expect(preview.out).toMatch(new RegExp(`${p.email.replace(/\./g, "\\.")}: archived in .*offboarding\\.ledger\\.jsonl on \\d{4}-\\d{2}-\\d{2}; its record leaves the stack in this run if it is still there; nothing happens at DocSpace`));
    }
    expect(preview.out).toMatch(/- 3 to delete/);

    const applied = await pulumi(["up", "--yes"]);
    expect(applied.code, applied.out).toBe(0);
    expect(applied.out).toMatch(/3 deleted/);
    expect(writesTo(s).length).toBe(writes);
    const exported = await pulumi(["stack", "export"]);
    expect(exported.out).not.toContain("UserRemoval::ann.e2e-history@example.com");

    requests = s.requests().length;
    for (const person of [people[0]!.email.toUpperCase(), people[0]!.id]) {
      const audit = await cli(["audit", "--format", "json", "--person", person]);
      expect(audit.code, audit.out).toBe(0);
      const rows = (JSON.parse(audit.stdout) as { rows: Array<{ source: string; email: string; step: string; evidence: string; reason: string }> }).rows;
      expect(rows).toEqual([expect.objectContaining({ source: "ledger", email: people[0]!.email, step: "remove", reason: "HR-300", evidence: expect.stringContaining(`GET people/${people[0]!.id}`) })]);
    }
    expect(s.requests().length).toBe(requests);

    const dan = s.portal.addUser({ email: "dan.e2e-history@example.com" });
    writeFileSync(file, `version: 1\nremovals:\n  - email: ${dan.email}\n`);
    const more = await pulumi(["up", "--yes"]);
    expect(more.code, more.out).toBe(0);
    expect(s.portal.liveUser(dan.id)).toBeUndefined();
    expect(more.out).toMatch(/1 created/);
    expect(JSON.stringify([archived.out, preview.out, applied.out, more.out])).not.toContain(KEYS.owner);
  }, 600_000);
});
