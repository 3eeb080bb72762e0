/**
 * The key appears nowhere: full lifecycle (create, refresh, failure, delete) with a recognisable
 * key, then a search of everything the project produced: every __provider text, every output and
 * state entry, every error message, everything the provider host printed, the demo's output.
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { hostModule, lifecycle, pkg, ROOT, startSimulator, USERS, type Simulator } from "./helpers";

const SECRET = "sk-CANARY-7f3e9a1c5b2d48607f3e9a1c5b2d4860";

function leaks(text: string): boolean {
  return text.includes(SECRET) || text.includes(SECRET.slice(3)) || text.includes(Buffer.from(SECRET).toString("base64"));
}

describe("secret scan", () => {
  it("the key is in no __provider, output, state, error or host output across the whole lifecycle", async () => {
    const s: Simulator = await startSimulator({ taskDurationMs: 300 });
    s.portal.addApiKey(USERS.owner, SECRET);
    const produced: string[] = [];
    const host = await hostModule.ProviderHost.start({ cwd: ROOT, env: { DOCSPACE_URL: "", DOCSPACE_API_KEY: "", DOCSPACE_POLL_MIN_MS: "50", DOCSPACE_POLL_MAX_MS: "200" } });
    try {
      await host.configure({ "docspace:url": s.url, "docspace:apiKey": SECRET });
      s.portal.failNext.set(USERS.mark, "Simulated failure");
      const declared = await lifecycle.declareResources(() => [
        new pkg.UserRemoval("jane", { email: "jane.doe@example.com" }),
        new pkg.UserRemoval("mark", { userId: USERS.mark }),
        new pkg.UserRemoval("owner", { email: "olivia.owner@example.com" }),
        new pkg.SelfDeleteRequest("self", {}),
      ]);
      for (const r of declared.resources) produced.push(JSON.stringify(r.inputs));
      const state: Parameters<typeof lifecycle.up>[2] = new Map();

      const plan = await lifecycle.preview(host, declared.resources, state);
      produced.push(JSON.stringify(plan));
      expect(plan.filter((p) => p.kind === "refused")).toHaveLength(1); // the engine stops at the first refusal
      for (const name of ["owner", "self"]) {
        const r = declared.resources.find((x) => x.name === name)!;
        const refused = await host.check(r.urn, undefined, r.inputs);
        produced.push(JSON.stringify(refused)); // the owner's removal and the owner's self-delete, both refused
        expect(refused.failures.length, name).toBe(1);
      }

      const ok = declared.resources.filter((r) => r.name === "jane" || r.name === "mark");
      const first = await lifecycle.up(host, ok, state);
      produced.push(JSON.stringify(first));
      expect(first.steps.find((x) => x.name === "mark")!.error).toContain("Simulated failure");
      await lifecycle.refresh(host, state);
      produced.push(JSON.stringify([...state.values()]));
      const second = await lifecycle.up(host, ok, state);
      produced.push(JSON.stringify(second), JSON.stringify([...state.values()]));

      // A revoked key: the authentication error must not echo it.
      s.portal.revokeKey(SECRET);
      const denied = await host.check(hostModule.urnFor("pulumi-nodejs:dynamic/docspace:UserRemoval", "nora"), undefined, {
        email: "nora.north@example.com",
        __provider: declared.resources.find((r) => r.name === "jane")!.inputs.__provider,
      }).then((r) => JSON.stringify(r), (e: Error) => e.message);
      produced.push(String(denied));
      expect(String(denied)).toMatch(/401|docspace:apiKey/);

      await lifecycle.destroy(host, state);
      expect(state.size).toBe(0);
    } finally {
      await host.stop();
      await s.stop();
    }
    produced.push(host.output);
    expect(produced.join("\n").length).toBeGreaterThan(5000);
    for (const text of produced) expect(leaks(text)).toBe(false);
  });

  // The whole demo: with the pulumi CLI on PATH it runs the real CLI, a minute or more beside other test files.
  it("the demo's output does not contain the key it uses", () => {
    const run = spawnSync(process.execPath, [join(ROOT, "dist", "tools", "demo.js")], { cwd: ROOT, encoding: "utf8", timeout: 290_000 });
    expect(run.status, run.stdout + run.stderr).toBe(0);
    const seededOwnerKey = "sk-sim-owner-3f7a9c1e5b2d4860";
    expect(run.stdout + run.stderr).not.toContain(seededOwnerKey);
    expect(run.stdout).toContain("Completed");
  }, 300_000);
});
