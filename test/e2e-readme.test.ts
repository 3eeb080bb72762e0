/**
 * The README's "In your own project" as a new user runs it: the package from its `npm pack`
 * tarball installed into a fresh Pulumi project whose index.js is the README's snippet, run with
 * the real CLI (local backend) against a simulator started here. What the portal saw is asserted
 * from the simulator's own request log, never from the CLI's word.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KEYS, localBackendEnv, packTarball, pulumiCliOnPath, ROOT, runCommand, startSimulator, type CommandResult, type Simulator } from "./helpers";

const hasCli = pulumiCliOnPath("e2e-readme");

/** The README's program, exactly as written there. */
function readmeSnippet(): string {
  const readme = readFileSync(join(ROOT, "README.md"), "utf8");
  const section = readme.slice(readme.indexOf("## In your own project"));
  const m = /```js\n([\s\S]*?)```/.exec(section);
  if (!m) throw new Error('README.md: no js block under "## In your own project"');
  return m[1]!;
}

const MISTAKES = readFileSync(join(ROOT, "examples", "offboarding", "mistakes.yaml"), "utf8");
// Three removals due now, with successors that exist.
const THREE = [
  "version: 1",
  "defaults:",
  "  transferTo: archive@example.com",
  "removals:",
  "  - email: jane.doe@example.com",
  "  - id: 9924256a-739c-462b-af15-e652a3b1b6eb",
  "    transferTo: team.lead@example.com",
  "  - email: admin.bob@example.com",
  "    allowAdmin: true",
  "",
].join("\n");

describe.skipIf(!hasCli)("the README's own program, from the npm pack tarball in a fresh project, with the real pulumi CLI", () => {
  const work = mkdtempSync(join(tmpdir(), "docspace-e2e-readme-"));
  const project = join(work, "project");
  const backend = join(work, "backend");
  const env = localBackendEnv(backend);
  // Only the stack config (or what a test sets) may point the program anywhere.
  delete env.DOCSPACE_URL;
  delete env.DOCSPACE_API_KEY;
  let s: Simulator;
  let n = 0;

  const pulumi = (stack: string, args: string[], opts: { input?: string; env?: NodeJS.ProcessEnv } = {}): Promise<CommandResult> =>
    runCommand("pulumi", [...args, "--cwd", project, "--stack", stack, "--non-interactive"], { env: opts.env ?? env, input: opts.input });

  /** A fresh stack pointed at the simulator, the file `body` as offboarding.yaml, and extra config. */
  async function stackWith(body: string, config: Record<string, string> = {}, opts: { keyInConfig?: boolean } = {}): Promise<string> {
    const stack = `readme-${process.pid}-${++n}`;
    writeFileSync(join(project, `offboarding-${n}.yaml`), body);
    const init = await runCommand("pulumi", ["stack", "init", stack, "--cwd", project, "--non-interactive"], { env });
    expect(init.code, init.out).toBe(0);
    for (const [k, v] of Object.entries({ "docspace:url": s.url, "docspace:offboardingFile": `offboarding-${n}.yaml`, ...config })) {
      const r = await pulumi(stack, ["config", "set", k, v]);
      expect(r.code, r.out).toBe(0);
    }
    if (opts.keyInConfig !== false) {
      const secret = await pulumi(stack, ["config", "set", "--secret", "docspace:apiKey"], { input: KEYS.owner });
      expect(secret.code, secret.out).toBe(0);
    }
    return stack;
  }

  /** Everything the portal was asked to change (the simulator's own record). */
  const writes = (): string[] => s.log.filter((r) => r.method !== "GET").map((r) => `${r.method} ${r.route}`);

  beforeAll(async () => {
    mkdirSync(backend);
    mkdirSync(project);
    s = await startSimulator({ taskDurationMs: 300, rateLimits: false });
    const tarball = await packTarball(work);
    writeFileSync(join(project, "Pulumi.yaml"), "name: my-offboarding\nruntime: nodejs\nmain: index.js\n");
    writeFileSync(join(project, "package.json"), JSON.stringify({ name: "my-offboarding", private: true, main: "index.js" }, null, 2));
    writeFileSync(join(project, "index.js"), readmeSnippet());
    const npm = await runCommand("npm", ["install", tarball, "@pulumi/pulumi@~3.248.0", "--no-audit", "--no-fund", "--prefer-offline"], { cwd: project });
    if (npm.code !== 0) throw new Error(`npm install failed (${npm.code}): ${npm.out.slice(-2000)}`);
  }, 600_000);

  afterAll(async () => {
    await s?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it("the snippet is the checked program: module.exports = defineOffboarding()", () => {
    expect(readmeSnippet()).toMatch(/module\.exports = defineOffboarding\(\);/);
    expect(readFileSync(join(ROOT, "README.md"), "utf8")).not.toMatch(/defineCheckedOffboarding\(/);
  });

  it("one preview names every mistake in the file, each with its line, and nothing is written", async () => {
    const stack = await stackWith(MISTAKES);
    const before = s.log.length;
    const r = await pulumi(stack, ["preview"]);
    expect(r.code, r.out).not.toBe(0);
    expect(r.out).toContain("3 problems; nothing was done:");
    expect(r.out).toMatch(/offboarding-\d+\.yaml:5: olivia\.owner@example\.com: .*is the portal owner/);
    expect(r.out).toMatch(/offboarding-\d+\.yaml:7: admin\.bob@example\.com: .*is a DocSpace admin/);
    expect(r.out).toMatch(/offboarding-\d+\.yaml:8: nora\.north@example\.com: The successor .* is not active/);
    expect(r.out).toMatch(/Also without an account[\s\S]*offboarding-\d+\.yaml:6: jane\.doe@exmaple\.com: No DocSpace account/);
    expect(r.out).not.toContain(KEYS.owner);
    expect(s.log.slice(before).filter((x) => x.method !== "GET")).toEqual([]);
  }, 300_000);

  it("a preview shows the impact block per account and writes the summary file; the outputs are accounts, totals, impact, offboardingFile", async () => {
    const stack = await stackWith(THREE, { "docspace:summaryFile": "out/summary.md" });
    const before = writes().length;
    const r = await pulumi(stack, ["preview"]);
    expect(r.code, r.out).toBe(0);
    expect(r.out).toContain("Bob Admin <admin.bob@example.com>: transfer to Archive Keeper <archive@example.com>, then delete the profile");
    expect(r.out).toContain("Rooms owned: 2 (Board minutes, 2025 audit) → owned afterwards by Archive Keeper <archive@example.com>");
    expect(r.out).toContain("jane.doe@example.com (remove): removed (data and profile; irreversible)");
    const summary = readFileSync(join(project, "out", "summary.md"), "utf8");
    expect(summary).toContain("Offboarding plan: what happens to each person's data");
    for (const who of ["jane.doe@example.com", "mark.lee@example.com", "admin.bob@example.com"]) expect(summary).toContain(who);
    expect(writes().length).toBe(before);
    // The outputs the preview shows: no `removals` dump of every resource's state.
    const outputs = r.out.slice(r.out.indexOf("Outputs:"));
    expect(outputs).toMatch(/\n\s+accounts\s*:/);
    expect(outputs).toMatch(/\n\s+impact\s*:/);
    expect(outputs).toMatch(/\n\s+offboardingFile\s*:/);
    expect(outputs).toMatch(/\n\s+totals\s*:/);
    expect(outputs).not.toMatch(/\n\s+removals\s*:/);
  }, 300_000);

  for (const [label, args] of [
    ["up --yes --skip-preview", ["up", "--yes", "--skip-preview"]],
    ["up --yes", ["up", "--yes"]],
  ] as const) {
    it(`\`pulumi ${label}\` over docspace:maxRemovalsPerRun: the whole run is refused, zero writes, and the advice names one number, the starts due`, async () => {
      const stack = await stackWith(THREE, { "docspace:maxRemovalsPerRun": "2" });
      const before = s.log.length;
      const tasks = s.portal.startedTasks.length;
      const r = await pulumi(stack, [...args]);
      expect(r.code, r.out).not.toBe(0);
      // The simulator's own record: not one request that changes anything, no task started.
      expect(s.log.slice(before).filter((x) => x.method !== "GET")).toEqual([]);
      expect(s.portal.startedTasks.length).toBe(tasks);
      expect(r.out).toContain("3 removals would start in this run, more than docspace:maxRemovalsPerRun (2). Nothing was started.");
      const advised = [...r.out.matchAll(/maxRemovalsPerRun (\d+)/g)].map((m) => m[1]);
      expect(advised.length).toBeGreaterThan(0);
      expect(new Set(advised)).toEqual(new Set(["3"]));
      expect(r.out).not.toMatch(/removals due/);
      // Nothing was declared, so nothing is recorded.
      const exported = await pulumi(stack, ["stack", "export"]);
      expect(exported.stdout).not.toContain("docspace:UserRemoval");
    }, 300_000);
  }

  it("the key: never in resource inputs, outputs or __provider; only in the default pulumi-nodejs provider's inputs, encrypted when set with --secret; with DOCSPACE_API_KEY alone, nowhere in the state", async () => {
    const stack = await stackWith("version: 1\nremovals:\n  - email: nora.north@example.com\n");
    const up = await pulumi(stack, ["up", "--yes"]);
    expect(up.code, up.out).toBe(0);
    expect(up.out).not.toContain(KEYS.owner);
    const plain = await pulumi(stack, ["stack", "export"]);
    expect(plain.code, plain.out).toBe(0);
    expect(plain.stdout).not.toContain(KEYS.owner);
    const shown = await pulumi(stack, ["stack", "export", "--show-secrets"]);
    const resources = (JSON.parse(shown.stdout) as { deployment: { resources: Array<{ type: string; urn: string }> } }).deployment.resources;
    const holding = resources.filter((r) => JSON.stringify(r).includes(KEYS.owner)).map((r) => r.type);
    expect(holding).toEqual(["pulumi:providers:pulumi-nodejs"]);
    const removal = resources.find((r) => r.type.endsWith("docspace:UserRemoval"));
    expect(removal).toBeDefined();

    // The environment instead of the stack config: the key is in no file and no state.
    const envOnly = await stackWith("version: 1\nremovals:\n  - email: john.smith@example.com\n", {}, { keyInConfig: false });
    const withKey = { ...env, DOCSPACE_API_KEY: KEYS.owner };
    const up2 = await pulumi(envOnly, ["up", "--yes"], { env: withKey });
    expect(up2.code, up2.out).toBe(0);
    const shown2 = await pulumi(envOnly, ["stack", "export", "--show-secrets"], { env: withKey });
    expect(shown2.code, shown2.out).toBe(0);
    expect(shown2.stdout).toContain("docspace:UserRemoval");
    expect(shown2.stdout).not.toContain(KEYS.owner);
    expect(readFileSync(join(project, `Pulumi.${envOnly}.yaml`), "utf8")).not.toContain(KEYS.owner);
  }, 300_000);
});
