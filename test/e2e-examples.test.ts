/**
 * e2e case 10: examples/offboarding and examples/self-delete as users run them. The package is
 * installed from its `npm pack` tarball (a real copy in node_modules, not a link to this
 * repository), with the @pulumi/pulumi release this repository is installed with (3.248.0 from the
 * lockfile; the newest under `npm run e2e:latest`) from the registry, and each example runs with the real
 * Pulumi CLI (local file backend, passphrase secrets) against a simulator started here. Outcomes
 * are asserted from the simulator's own record. Runs where `pulumi` is on PATH; with
 * PULUMI_DOCSPACE_E2E=required a missing CLI (or a failed install) fails instead of skipping.
 */
import { cpSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KEYS, packTarball, pulumiCliOnPath, ROOT, runCommand, startSimulator, USERS, type CommandResult, type Simulator } from "./helpers";

const hasCli = pulumiCliOnPath("e2e-examples");
const required = process.env.PULUMI_DOCSPACE_E2E === "required";

const EXAMPLES = ["offboarding", "self-delete"] as const;
/** The SDK release under test: the repository's own (the oldest end, or the newest in `npm run e2e:latest`'s copy). */
const SDK_VERSION = (createRequire(join(ROOT, "package.json"))("@pulumi/pulumi/package.json") as { version: string }).version;

describe.skipIf(!hasCli)("the examples, installed from the npm pack tarball, with the real pulumi CLI (case 10)", () => {
  const work = mkdtempSync(join(tmpdir(), "docspace-e2e-examples-"));
  const backend = join(work, "backend");
  const stack = `examples-${process.pid}`;
  const dirs: Record<string, string> = {};
  const installErrors: Record<string, string> = {};
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PULUMI_BACKEND_URL: `file://${backend}`,
    PULUMI_CONFIG_PASSPHRASE: "e2e-passphrase",
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_DIY_BACKEND_NO_LEGACY_WARNING: "true",
    DOCSPACE_POLL_MIN_MS: "100",
    DOCSPACE_POLL_MAX_MS: "300",
  };
  // Only the stack config may point the provider anywhere.
  delete env.DOCSPACE_URL;
  delete env.DOCSPACE_API_KEY;

  const pulumi = (example: string, args: string[], input?: string): Promise<CommandResult> =>
    runCommand("pulumi", [...args, "--cwd", dirs[example]!, "--stack", stack, "--non-interactive"], { env, input });

  /** A fresh stack of `example` pointed at `s` with `key` (set as a secret through stdin). */
  async function stackFor(example: string, s: Simulator, key: string): Promise<void> {
    if (installErrors[example]) {
      if (required) throw new Error(installErrors[example]);
      console.log(`e2e-examples: skipped: ${installErrors[example]}`);
      return;
    }
    const init = await runCommand("pulumi", ["stack", "init", stack, "--cwd", dirs[example]!, "--non-interactive"], { env });
    expect(init.code, init.out).toBe(0);
    const url = await pulumi(example, ["config", "set", "docspace:url", s.url]);
    expect(url.code, url.out).toBe(0);
    const secret = await pulumi(example, ["config", "set", "--secret", "docspace:apiKey"], key);
    expect(secret.code, secret.out).toBe(0);
  }

  beforeAll(async () => {
    mkdirSync(backend);
    const tarball = await packTarball(work);
    // One after the other: two concurrent installs would share and race on npm's cache.
    for (const example of EXAMPLES) {
      const dir = join(work, example);
      cpSync(join(ROOT, "examples", example), dir, { recursive: true, filter: (src) => !src.includes("node_modules") });
      // A user's project does not have the repository's `file:../..` link: the tarball stands in for the registry.
      const manifestPath = join(dir, "package.json");
      const manifest = JSON.parse(readFileSync(manifestPath, "utf8")) as { dependencies: Record<string, string> };
      delete manifest.dependencies["pulumi-docspace"];
      delete manifest.dependencies["@pulumi/pulumi"];
      writeFileSync(manifestPath, JSON.stringify(manifest, null, 2) + "\n");
      const npm = await runCommand("npm", ["install", tarball, `@pulumi/pulumi@${SDK_VERSION}`, "--no-audit", "--no-fund", "--prefer-offline"], { cwd: dir });
      if (npm.code !== 0) installErrors[example] = `npm install in ${example} failed (${npm.code}): ${npm.out.split("\n").filter((l) => !l.includes("nodedir")).slice(-5).join(" ")}`;
      dirs[example] = dir;
    }
  }, 600_000);

  afterAll(async () => {
    for (const example of EXAMPLES) if (dirs[example] && !installErrors[example]) await pulumi(example, ["stack", "rm", "--yes", "--force"]);
    rmSync(work, { recursive: true, force: true });
  }, 120_000);

  it("installs a real copy of the package (no simulator, no link to this repository) next to a single @pulumi/pulumi", async () => {
    for (const example of EXAMPLES) {
      if (installErrors[example]) {
        if (required) throw new Error(installErrors[example]);
        continue;
      }
      const installed = join(dirs[example]!, "node_modules", "pulumi-docspace");
      expect(lstatSync(installed).isSymbolicLink()).toBe(false);
      // The subpath state written by earlier versions requires resolves in the installed copy.
      const fromProject = createRequire(join(dirs[example]!, "package.json"));
      expect(fromProject.resolve("pulumi-docspace/dist/provider/resources/user-removal-impl.js")).toBe(join(installed, "dist", "provider", "resources", "user-removal", "methods.js"));
      expect(existsSync(join(installed, "dist", "simulator"))).toBe(false);
      expect(existsSync(join(installed, "LICENSE"))).toBe(true);
      const manifest = JSON.parse(readFileSync(join(dirs[example]!, "package.json"), "utf8")) as { dependencies: Record<string, string> };
      expect(manifest.dependencies["pulumi-docspace"]).toMatch(/^file:.*\.tgz$/);
      const ls = await runCommand("npm", ["ls", "@pulumi/pulumi", "--all", "--parseable"], { cwd: dirs[example] });
      expect(ls.stdout.trim().split("\n").filter((l) => l.endsWith(join("node_modules", "@pulumi", "pulumi")))).toHaveLength(1);
    }
  }, 120_000);

  it("examples/offboarding: pulumi up removes each listed account exactly once; a second up starts nothing", async (ctx) => {
    const s = await startSimulator({ taskDurationMs: 500, rateLimits: false });
    try {
      await stackFor("offboarding", s, KEYS.owner);
      if (installErrors.offboarding) return ctx.skip();
      const up = await pulumi("offboarding", ["up", "--yes"]);
      expect(up.code, up.out).toBe(0);
      expect(up.out).not.toContain(KEYS.owner);
      // offboarding.yaml: jane (to archive, the default), mark by id (to team.lead), admin.bob (allowAdmin, to archive).
      const started = s.portal.startedTasks.map((t) => ({ userId: t.userId, toUserId: t.toUserId })).sort((a, b) => a.userId.localeCompare(b.userId));
      expect(started).toEqual(
        [
          { userId: USERS.jane, toUserId: USERS.archive },
          { userId: USERS.mark, toUserId: USERS.teamLead },
          { userId: USERS.bob, toUserId: USERS.archive },
        ].sort((a, b) => a.userId.localeCompare(b.userId)),
      );
      for (const id of [USERS.jane, USERS.mark, USERS.bob]) expect(s.portal.liveUser(id)).toBeUndefined();
      const outputs = await pulumi("offboarding", ["stack", "output", "--json"]);
      expect(outputs.code, outputs.out).toBe(0);
      expect((JSON.parse(outputs.stdout) as { totals: Record<string, number> }).totals).toEqual({ total: 3, Completed: 3 });

      const again = await pulumi("offboarding", ["up", "--yes"]);
      expect(again.code, again.out).toBe(0);
      expect(s.portal.startedTasks).toHaveLength(3);
    } finally {
      await s.stop();
    }
  }, 600_000);

  it("examples/self-delete: pulumi up sends the instructions to the key's own account exactly once", async (ctx) => {
    const s = await startSimulator({ taskDurationMs: 500, rateLimits: false });
    try {
      await stackFor("self-delete", s, KEYS.user);
      if (installErrors["self-delete"]) return ctx.skip();
      const up = await pulumi("self-delete", ["up", "--yes"]);
      expect(up.code, up.out).toBe(0);
      expect(up.out).not.toContain(KEYS.user);
      expect(s.portal.selfDeleteEmails.map((e) => ({ userId: e.userId, email: e.email }))).toEqual([{ userId: USERS.jane, email: "jane.doe@example.com" }]);
      const outputs = await pulumi("self-delete", ["stack", "output", "--json"]);
      expect((JSON.parse(outputs.stdout) as { sentTo: string }).sentTo).toBe("jane.doe@example.com");

      const again = await pulumi("self-delete", ["up", "--yes"]);
      expect(again.code, again.out).toBe(0);
      expect(s.portal.selfDeleteEmails).toHaveLength(1);
      expect(s.portal.startedTasks).toHaveLength(0);
    } finally {
      await s.stop();
    }
  }, 600_000);
});
