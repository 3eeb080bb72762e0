/**
 * End to end with the real Pulumi CLI and a local backend, against the simulator: preview, up,
 * preview with no changes, refresh, destroy. Runs only where `pulumi` is on PATH (users' machines,
 * CI with the CLI); reported as skipped, with the reason, where it is not.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KEYS, ROOT, startSimulator, type Simulator } from "./helpers";

const cli = spawnSync("pulumi", ["version"], { encoding: "utf8" });
const hasCli = cli.status === 0;
if (!hasCli) console.log("e2e-cli: skipped: the pulumi CLI is not on PATH (it cannot be installed on this machine); see README 'What was tested without the Pulumi CLI'.");

describe.skipIf(!hasCli)("pulumi CLI end to end (local backend, simulator)", () => {
  let s: Simulator;
  let backend: string;
  let file: string;
  const stack = `e2e-${process.pid}`;
  let env: NodeJS.ProcessEnv;
  const pulumi = (...args: string[]) => spawnSync("pulumi", [...args, "--cwd", ROOT, "--stack", stack, "--non-interactive"], { encoding: "utf8", env });

  beforeAll(async () => {
    s = await startSimulator({ taskDurationMs: 500, rateLimits: false });
    backend = mkdtempSync(join(tmpdir(), "pulumi-e2e-"));
    file = join(backend, "offboarding.yaml");
    writeFileSync(file, "version: 1\nremovals:\n  - email: jane.doe@example.com\n  - email: nora.north@example.com\n    transferTo: team.lead@example.com\n");
    env = { ...process.env, PULUMI_BACKEND_URL: `file://${backend}`, PULUMI_CONFIG_PASSPHRASE: "e2e", PULUMI_SKIP_UPDATE_CHECK: "true" };
    expect(spawnSync("pulumi", ["stack", "init", stack, "--cwd", ROOT], { env }).status).toBe(0);
    pulumi("config", "set", "docspace:url", s.url);
    spawnSync("pulumi", ["config", "set", "--secret", "docspace:apiKey", "--cwd", ROOT, "--stack", stack], { input: KEYS.owner, env });
    pulumi("config", "set", "docspace:offboardingFile", file);
  });

  afterAll(async () => {
    spawnSync("pulumi", ["stack", "rm", stack, "--yes", "--force", "--cwd", ROOT], { env });
    rmSync(backend, { recursive: true, force: true });
    await s?.stop();
  });

  it("preview shows two creates and touches nothing", () => {
    const r = pulumi("preview", "--diff");
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain("docspace:UserRemoval");
    expect(s.writes()).toHaveLength(0);
    expect(r.stdout + r.stderr).not.toContain(KEYS.owner);
  });

  it("up removes both; a second preview has no changes; refresh keeps them; destroy writes nothing", () => {
    expect(pulumi("up", "--yes").status).toBe(0);
    expect(s.portal.startedTasks).toHaveLength(2);
    expect(pulumi("preview", "--expect-no-changes").status).toBe(0);
    expect(pulumi("refresh", "--yes").status).toBe(0);
    const writes = s.writes().length;
    expect(pulumi("destroy", "--yes").status).toBe(0);
    expect(s.writes()).toHaveLength(writes);
    const state = spawnSync("pulumi", ["stack", "export", "--cwd", ROOT, "--stack", stack], { encoding: "utf8", env });
    expect(state.stdout).not.toContain(KEYS.owner);
  });
});
