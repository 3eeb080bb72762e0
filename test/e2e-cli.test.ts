/**
 * End to end with the real Pulumi CLI (built by `npm run cli`), a local file backend and the
 * passphrase secrets provider, against the simulator. Every outcome is asserted from the
 * simulator's own record. Runs where `pulumi` is on PATH; CI sets PULUMI_DOCSPACE_E2E=required,
 * so a missing CLI fails there instead of skipping.
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KEYS, ROOT, startSimulator, USERS, writesTo, type Simulator } from "./helpers";

const cli = spawnSync("pulumi", ["version"], { encoding: "utf8" });
const hasCli = cli.status === 0;
const required = process.env.PULUMI_DOCSPACE_E2E === "required";
if (!hasCli && required) throw new Error("PULUMI_DOCSPACE_E2E=required, but the pulumi CLI is not on PATH. Build it with `npm run cli` and put the folder it prints on PATH.");
if (!hasCli) console.log("e2e-cli: skipped: the pulumi CLI is not on PATH. `npm run cli` builds it from its Go modules (needs Go); then put the folder it prints on PATH.");

interface Run {
  code: number | null;
  out: string;
}

describe.skipIf(!hasCli)("the real pulumi CLI against the simulator (local backend)", () => {
  let s: Simulator;
  let dir: string;
  let file: string;
  let env: NodeJS.ProcessEnv;
  const stack = `e2e-${process.pid}`;

  /** Runs pulumi without blocking this process: the simulator lives here and must keep answering. */
  function pulumi(args: string[], input?: string): Promise<Run> {
    return new Promise((resolve) => {
      const child = spawn("pulumi", [...args, "--cwd", ROOT, "--stack", stack, "--non-interactive"], { env, stdio: ["pipe", "pipe", "pipe"] });
      let out = "";
      child.stdout.on("data", (d: Buffer) => (out += d.toString()));
      child.stderr.on("data", (d: Buffer) => (out += d.toString()));
      child.stdin.end(input ?? "");
      child.on("close", (code) => resolve({ code, out }));
    });
  }

  function entries(lines: string[]): void {
    writeFileSync(file, ["version: 1", "removals:", ...lines].join("\n") + "\n");
  }

  beforeAll(async () => {
    s = await startSimulator({ taskDurationMs: 500, rateLimits: false });
    dir = mkdtempSync(join(tmpdir(), "pulumi-e2e-"));
    file = join(dir, "offboarding.yaml");
    env = {
      ...process.env,
      PULUMI_BACKEND_URL: `file://${dir}`,
      PULUMI_CONFIG_PASSPHRASE: "e2e-passphrase",
      PULUMI_SKIP_UPDATE_CHECK: "true",
      PULUMI_DIY_BACKEND_NO_LEGACY_WARNING: "true",
      DOCSPACE_POLL_MIN_MS: "100",
      DOCSPACE_POLL_MAX_MS: "300",
    };
    const init = spawnSync("pulumi", ["stack", "init", stack, "--cwd", ROOT, "--non-interactive"], { env, encoding: "utf8" });
    expect(init.status, init.stderr).toBe(0);
    for (const [k, v] of [
      ["docspace:url", s.url],
      ["docspace:offboardingFile", file],
    ]) expect((await pulumi(["config", "set", k!, v!])).code).toBe(0);
    expect((await pulumi(["config", "set", "--secret", "docspace:apiKey"], KEYS.owner)).code).toBe(0);
  }, 120_000);

  afterAll(async () => {
    await pulumi(["stack", "rm", "--yes", "--force"]);
    rmSync(dir, { recursive: true, force: true });
    await s?.stop();
  }, 120_000);

  it("1. preview --diff of a clean file names each planned removal, writes nothing, and never shows the key", async () => {
    entries(["  - email: jane.doe@example.com", "  - email: nora.north@example.com", "    transferTo: team.lead@example.com"]);
    const r = await pulumi(["preview", "--diff"]);
    expect(r.code, r.out).toBe(0);
    for (const who of ["jane.doe@example.com", "nora.north@example.com"]) {
      expect(r.out).toMatch(new RegExp(`\\+ pulumi-nodejs:dynamic/docspace:UserRemoval: \\(create\\)\\s+\\[urn=[^\\]]*UserRemoval::${who.replace(/\./g, "\\.")}\\]`));
    }
    expect(writesTo(s)).toEqual([]);
    expect(r.out).not.toContain(KEYS.owner);
  }, 180_000);

  it("2. a preview of the mistakes example names every mistake in one run, with its line, and touches nothing", async () => {
    expect((await pulumi(["config", "set", "docspace:offboardingFile", join(ROOT, "examples", "offboarding", "mistakes.yaml")])).code).toBe(0);
    try {
      const r = await pulumi(["preview"]);
      expect(r.code).not.toBe(0);
      expect(r.out).toMatch(/mistakes\.yaml:5: olivia\.owner@example\.com: .*portal owner/);
      expect(r.out).toMatch(/mistakes\.yaml:6: jane\.doe@exmaple\.com: No DocSpace account has the email/);
      expect(r.out).toMatch(/mistakes\.yaml:7: admin\.bob@example\.com: .*allowAdmin: true/);
      expect(r.out).toMatch(/mistakes\.yaml:8: nora\.north@example\.com: .*not active/);
      expect(writesTo(s)).toEqual([]);
    } finally {
      await pulumi(["config", "set", "docspace:offboardingFile", file]);
    }
  }, 180_000);

  it("3. up, then preview --expect-no-changes, refresh, destroy (zero writes), and the key only encrypted in the state", async () => {
    entries(["  - email: jane.doe@example.com", "  - email: nora.north@example.com", "    transferTo: team.lead@example.com"]);
    const up = await pulumi(["up", "--yes"]);
    expect(up.code, up.out).toBe(0);
    expect(s.portal.startedTasks.map((t) => t.userId).sort()).toEqual([USERS.jane, USERS.nora].sort());
    expect(s.portal.liveUser(USERS.jane)).toBeUndefined();
    expect(up.out).not.toContain(KEYS.owner);
    // The program's stack outputs carry each removal's outcome (resource outputs reach the program).
    const outputs = await pulumi(["stack", "output", "--json"]);
    const parsed = JSON.parse(outputs.out) as { accounts: Record<string, { status?: string }>; totals: Record<string, number> };
    expect(parsed.accounts["jane.doe@example.com"]?.status).toBe("Completed");
    expect(parsed.totals).toEqual({ total: 2, Completed: 2 });
    const again = await pulumi(["preview", "--expect-no-changes"]);
    expect(again.code, again.out).toBe(0);
    const refresh = await pulumi(["refresh", "--yes", "--expect-no-changes"]);
    expect(refresh.code, refresh.out).toBe(0);
    const exported = await pulumi(["stack", "export"]);
    expect(exported.code).toBe(0);
    expect(exported.out).not.toContain(KEYS.owner);
    expect(exported.out).toContain('"docspace:apiKey"');
    const writes = s.writes().length;
    const destroy = await pulumi(["destroy", "--yes"]);
    expect(destroy.code, destroy.out).toBe(0);
    expect(s.writes()).toHaveLength(writes);
    expect(s.portal.startedTasks).toHaveLength(2);
  }, 300_000);

  it("7. up --yes --skip-preview with more new removals than the guard allows is refused before the first start", async () => {
    const extra = ["mark.lee@example.com", "paul.park@example.com", "john.smith@example.com"];
    entries(extra.map((e) => `  - email: ${e}`));
    expect((await pulumi(["config", "set", "docspace:maxRemovalsPerRun", "2"])).code).toBe(0);
    const before = s.portal.startedTasks.length;
    const writesBefore = writesTo(s).length;
    const r = await pulumi(["up", "--yes", "--skip-preview"]);
    expect(r.code).not.toBe(0);
    expect(r.out).toMatch(/3 removals would start in this run, more than docspace:maxRemovalsPerRun \(2\)/);
    expect(s.portal.startedTasks.length - before).toBe(0);
    expect(writesTo(s).length).toBe(writesBefore);
    await pulumi(["config", "rm", "docspace:maxRemovalsPerRun"]);
  }, 300_000);
});
