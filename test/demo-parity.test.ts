/**
 * `npm run demo` without the CLI (what a newcomer sees first) and the real `pulumi preview` print
 * the same text about the plan: the impact block per account and the line per entry, both from the
 * program itself. The demo runs as users run it (its own simulator, no `pulumi` on PATH); the real
 * preview runs the root project against a simulator of this test, both on the same day.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fromDist, KEYS, localBackendEnv, pkg, pulumiCliOnPath, ROOT, runCommand, startSimulator, type Simulator } from "./helpers";
import type * as NamesModule from "../provider/program/names";

const hasCli = pulumiCliOnPath("demo-parity");
const names = fromDist("provider/program/names.js") as typeof NamesModule;
const DAY = "2026-12-01";
const FILE = "offboarding.yaml";

/** The lines a preview prints about the plan: from the first diagnostic to before the first resource step, trimmed. */
function planText(out: string, after: string): string[] {
  const from = out.indexOf(after);
  expect(from, `no "${after}" in:\n${out}`).toBeGreaterThanOrEqual(0);
  const rest = out.slice(from);
  const lines = rest.slice(rest.indexOf("Diagnostics:")).split("\n").slice(2);
  const end = lines.findIndex((l) => /^\s*(\+|~|-|\+-)\s+pulumi-nodejs:|^Resources:|^Outputs:|^\s*$/.test(l));
  return lines.slice(0, end === -1 ? undefined : end).map((l) => l.trim()).filter((l) => l !== "");
}

describe.skipIf(!hasCli)("the demo without the CLI prints what the real preview prints", () => {
  const work = mkdtempSync(join(tmpdir(), "docspace-demo-parity-"));
  let s: Simulator;
  let demoOut = "";
  let cliOut = "";

  beforeAll(async () => {
    s = await startSimulator({ taskDurationMs: 300, rateLimits: false });
    // The demo as a user without the CLI runs it.
    const path = (process.env.PATH ?? "").split(delimiter).filter((d) => !existsSync(join(d, "pulumi"))).join(delimiter);
    const demo = await runCommand(process.execPath, [join(ROOT, "dist", "tools", "demo.js")], { cwd: ROOT, env: { ...process.env, PATH: path, DOCSPACE_TODAY: DAY, DEMO_OFFBOARDING_FILE: FILE, DOCSPACE_URL: "", DOCSPACE_API_KEY: "" } });
    expect(demo.code, demo.out).toBe(0);
    demoOut = demo.stdout;
    expect(demoOut).toContain("pulumi CLI not found on PATH");
    // The real preview of the root project, on the same day.
    const backend = join(work, "backend");
    mkdirSync(backend);
    const env = localBackendEnv(backend, { DOCSPACE_TODAY: DAY });
    delete env.DOCSPACE_URL;
    delete env.DOCSPACE_API_KEY;
    const stack = `parity-${process.pid}`;
    const run = (args: string[], input?: string) => runCommand("pulumi", [...args, "--cwd", ROOT, "--stack", stack, "--non-interactive"], { env, input });
    expect((await runCommand("pulumi", ["stack", "init", stack, "--cwd", ROOT, "--non-interactive"], { env })).code).toBe(0);
    try {
      await run(["config", "set", "docspace:url", s.url]);
      await run(["config", "set", "--secret", "docspace:apiKey"], KEYS.owner);
      await run(["config", "set", "docspace:offboardingFile", FILE]);
      const preview = await run(["preview"]);
      expect(preview.code, preview.out).toBe(0);
      cliOut = preview.stdout;
    } finally {
      await run(["stack", "rm", "--yes", "--force"]);
    }
  }, 600_000);

  afterAll(async () => {
    await s?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it("the same line for every entry of the demo file", () => {
    const entries = pkg.loadOffboardingFile(join(ROOT, FILE)).removals.map(names.logicalName);
    expect(entries.length).toBeGreaterThan(0);
    const lineOf = (out: string, name: string): string | undefined =>
      out
        .split("\n")
        .map((l) => l.trim())
        .find((l) => l.startsWith(`${name} (`));
    for (const name of entries) {
      const demo = lineOf(demoOut, name);
      expect(demo, `the demo prints no line for ${name}`).toBeDefined();
      expect(lineOf(cliOut, name), name).toBe(demo);
    }
  });

  it("the same plan text, impact blocks included, in the same order", () => {
    const demo = planText(demoOut, `== pulumi preview of ${FILE}`);
    const cli = planText(cliOut, "Previewing update");
    expect(demo.some((l) => l.startsWith("Rooms owned:"))).toBe(true);
    expect(demo.length).toBeGreaterThan(30); // six impact blocks and six plan lines
    expect(cli).toEqual(demo);
  });

  it("the demo no longer describes the plan in words of its own", () => {
    expect(demoOut).not.toMatch(/\+ remove .*personal files and the profile are deleted/);
    expect(demoOut).not.toMatch(/Plan: \d+ to remove/);
    expect(demoOut).not.toContain("rooms and shared files go to the API key's account");
  });
});
