/**
 * The fault matrix: for each fault the run ends in a correct state, asserted from the simulator's
 * own record: every listed account removed exactly once, nobody else touched, no second task,
 * the stored state truthful.
 */
import { createRequire } from "node:module";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { expectRemovedExactly, KEYS, lifecycle, pkg, removalsInHost, ROOT, startSimulator, usePortal, USERS, wait, type Simulator } from "./helpers";

const provider = pkg.userRemovalProvider;
type Props = Record<string, unknown>;
let s: Simulator | undefined;

afterEach(async () => {
  await s?.stop();
  s = undefined;
  delete process.env.DOCSPACE_REQUEST_TIMEOUT_MS;
});


function assertTruthful(outs: Props, id: string): void {
  expect(outs).toMatchObject({ userId: id, status: "Completed", percentage: 100 });
  expect(outs.error ?? "", "no error recorded").toBe("");
}

async function removeDirectly(sim: Simulator, accounts: Array<{ inputs: Props; id: string }>): Promise<void> {
  usePortal(sim.url, KEYS.owner);
  const results = await Promise.all(accounts.map(async (a) => {
    const checked = await provider.check!({}, a.inputs);
    expect(checked.failures ?? []).toEqual([]);
    return provider.create(checked.inputs);
  }));
  results.forEach((r, i) => assertTruthful(r.outs as Props, accounts[i]!.id));
  expectRemovedExactly(sim, accounts.map((a) => a.id));
}

const JANE = { inputs: { email: "jane.doe@example.com" }, id: USERS.jane };
const MARK = { inputs: { userId: USERS.mark }, id: USERS.mark };
const JOHN = { inputs: { email: "john.smith@example.com", transferTo: "team.lead@example.com" }, id: USERS.john };

describe("faults through the provider objects", () => {
  it("429 storms with Retry-After on reads and on starts", async () => {
    s = await startSimulator();
    s.inject({ route: "GET people/filter", kind: "429", retryAfterSeconds: 1, times: 3 });
    s.inject({ route: "POST people/remove/start", kind: "429", retryAfterSeconds: 1, times: 2 });
    s.inject({ route: "POST people/reassign/start", kind: "429", retryAfterSeconds: 1, times: 1 });
    s.inject({ route: "GET people/remove/progress/{userid}", kind: "429", retryAfterSeconds: 1, times: 2 });
    await removeDirectly(s, [JANE, MARK, JOHN]);
    expect(s.log.filter((r) => r.status === 429).length).toBe(8);
  });

  it("500, 502 and 503 on reads", async () => {
    s = await startSimulator();
    s.inject({ route: "GET people/email", kind: "500", times: 2 });
    s.inject({ route: "GET people/{userid}", kind: "502", times: 2 });
    s.inject({ route: "GET people/remove/progress/{userid}", kind: "503", times: 3 });
    s.inject({ route: "GET people/@self", kind: "503", times: 1 });
    await removeDirectly(s, [JANE, MARK]);
  });

  it("applied, then 503, on remove/start and on reassign/start", async () => {
    s = await startSimulator();
    s.inject({ route: "POST people/remove/start", kind: "applied-then-503", times: 2 });
    s.inject({ route: "POST people/reassign/start", kind: "applied-then-503", times: 1 });
    await removeDirectly(s, [JANE, MARK, JOHN]);
    expect(s.requests("POST people/remove/start")).toHaveLength(2);
    expect(s.requests("POST people/reassign/start")).toHaveLength(1);
  });

  it("a connection reset mid-response on starts and on progress reads", async () => {
    s = await startSimulator();
    s.inject({ route: "POST people/remove/start", kind: "applied-then-reset", times: 1 });
    s.inject({ route: "GET people/remove/progress/{userid}", kind: "applied-then-reset", times: 2 });
    s.inject({ route: "PUT people/status/{status}", kind: "applied-then-reset", times: 1 });
    await removeDirectly(s, [JANE, MARK]);
  });

  it("answers slower than the client's timeout, on a read and on a start", async () => {
    s = await startSimulator({ taskDurationMs: 300 });
    process.env.DOCSPACE_REQUEST_TIMEOUT_MS = "400";
    s.inject({ route: "GET people/email", kind: "delay", delayMs: 1200, times: 1 });
    s.inject({ route: "POST people/remove/start", kind: "delay", delayMs: 1200, times: 1 });
    usePortal(s.url, KEYS.owner, { DOCSPACE_REQUEST_TIMEOUT_MS: "400" });
    const { outs } = await provider.create({ email: "jane.doe@example.com" });
    assertTruthful(outs as Props, USERS.jane);
    await wait(1500); // let the slow start land: it must not start a second task
    expectRemovedExactly(s, [USERS.jane]);
  });

  it("a task that vanishes (expiry) between two polls", async () => {
    s = await startSimulator({ taskDurationMs: 200, taskExpiryMs: 0 });
    usePortal(s.url, KEYS.owner, { DOCSPACE_POLL_MIN_MS: "600", DOCSPACE_POLL_MAX_MS: "600" });
    const { outs } = await provider.create({ email: "nora.north@example.com" });
    assertTruthful(outs as Props, USERS.nora);
    expectRemovedExactly(s, [USERS.nora]);
  });
});

describe("failures after the start was accepted", () => {
  it("the key revoked while following: recorded as partially created, resumed with a new key, never started twice", async () => {
    s = await startSimulator({ taskDurationMs: 1500 });
    usePortal(s.url, KEYS.owner);
    const creating = provider.create({ email: "jane.doe@example.com" }).then(
      () => undefined,
      (e: unknown) => e as Error & { id?: string; properties?: Props },
    );
    while (s.requests("POST people/remove/start").length === 0) await wait(10);
    s.portal.revokeKey(KEYS.owner);
    const failure = await creating;
    expect(failure?.message).toMatch(/was started in DocSpace, but following it failed: .*401.*it will not be started twice/s);
    expect(failure?.id).toBe(USERS.jane);
    expect(failure?.properties?.status).toBe("Running");
    s.portal.addApiKey(USERS.owner, "sk-sim-owner-rotated-0001");
    usePortal(s.url, "sk-sim-owner-rotated-0001");
    const { outs } = await provider.update!(failure!.id!, failure!.properties!, { email: "jane.doe@example.com" });
    assertTruthful(outs as Props, USERS.jane);
    expectRemovedExactly(s, [USERS.jane]);
  });

  it("a refused start after disabling says the account stays disabled", async () => {
    s = await startSimulator();
    usePortal(s.url, KEYS.owner);
    // DocSpace refuses the start after the disable went through, for a reason preflight could not foresee.
    const { SimFailure } = createRequire(join(ROOT, "package.json"))(join(ROOT, "dist", "simulator", "portal.js")) as typeof import("../simulator/portal");
    const original = s.portal.startRemove.bind(s.portal);
    s.portal.startRemove = () => {
      throw new SimFailure(400, `Can not delete user with id = ${USERS.jane}`);
    };
    try {
      await expect(provider.create({ email: "jane.doe@example.com" })).rejects.toThrow(/Can not delete user.*was disabled first and stays disabled; nothing was removed/);
    } finally {
      s.portal.startRemove = original;
    }
    expect(s.portal.liveUser(USERS.jane)!.status).toBe(2);
    expect(s.portal.startedTasks).toHaveLength(0);
  });
});

describe("faults through Pulumi's provider host", () => {
  const program = removalsInHost;

  it("a task that fails with status 4, then succeeds on the next up", async () => {
    s = await startSimulator();
    s.portal.failNext.set(USERS.jane, "Could not delete personal folder");
    const { resources, host } = await program(s, [["jane", { email: "jane.doe@example.com" }], ["mark", { userId: USERS.mark }]]);
    try {
      const state: Parameters<typeof lifecycle.up>[2] = new Map();
      const first = await lifecycle.up(host, resources, state);
      const jane = first.steps.find((x) => x.name === "jane")!;
      expect(jane.ok).toBe(false);
      expect(jane.error).toContain("Could not delete personal folder");
      expect(state.get(jane.urn)).toMatchObject({ initErrors: [expect.stringContaining("Could not delete")], outputs: { status: "Failed" } });
      const plan = await lifecycle.preview(host, resources, state);
      expect(plan.map((p) => [p.name, p.kind])).toEqual([["jane", "update"], ["mark", "same"]]);
      const second = await lifecycle.up(host, resources, state);
      expect(second.steps.every((x) => x.ok)).toBe(true);
      expect([...state.values()].map((e) => e.outputs.status)).toEqual(["Completed", "Completed"]);
      expect(s.portal.startedTasks.filter((t) => t.userId === USERS.jane)).toHaveLength(2); // the failed one and the retry
      expect(s.portal.startedTasks.filter((t) => t.userId === USERS.mark)).toHaveLength(1);
    } finally {
      await host.stop();
    }
  });

  it("the run interrupted after the start was accepted and before outputs were stored: a new host adopts the running task, no second start", async () => {
    s = await startSimulator({ taskDurationMs: 4000 });
    const { resources, host } = await program(s, [["jane", { email: "jane.doe@example.com" }]]);
    const state: Parameters<typeof lifecycle.up>[2] = new Map();
    const interrupted = lifecycle.up(host, resources, state).catch(() => undefined);
    while (s.requests("POST people/remove/start").length === 0) await wait(20);
    await wait(50);
    host.kill(); // pulumi up interrupted: nothing stored
    await interrupted;
    expect(state.size).toBe(0);

    const again = await program(s, [["jane", { email: "jane.doe@example.com" }]]);
    try {
      const resumed = await lifecycle.up(again.host, again.resources, state);
      expect(resumed.steps.map((x) => [x.kind, x.ok, x.error])).toEqual([["create", true, undefined]]);
      assertTruthful(state.get(resources[0]!.urn)!.outputs, USERS.jane);
      expectRemovedExactly(s, [USERS.jane]);
      expect(s.requests("POST people/remove/start")).toHaveLength(1);
    } finally {
      await again.host.stop();
    }
  });

  it("interrupted, and the removal finished before the next run: guidance names alreadyRemoved, which records it without a second start", async () => {
    s = await startSimulator({ taskDurationMs: 300 });
    const { resources, host } = await program(s, [["jane", { email: "jane.doe@example.com" }]]);
    const state: Parameters<typeof lifecycle.up>[2] = new Map();
    const interrupted = lifecycle.up(host, resources, state).catch(() => undefined);
    while (s.requests("POST people/remove/start").length === 0) await wait(5);
    host.kill();
    await interrupted;
    while (s.portal.liveUser(USERS.jane)) {
      s.portal.advance(); // the removal finishes while nobody watches
      await wait(20);
    }

    const next = await program(s, [["jane", { email: "jane.doe@example.com" }]]);
    try {
      const refused = await lifecycle.up(next.host, next.resources, state);
      expect(refused.refused[0]?.failures?.[0]?.reason).toMatch(/alreadyRemoved: true/);
    } finally {
      await next.host.stop();
    }
    const flagged = await program(s, [["jane", { email: "jane.doe@example.com", alreadyRemoved: true }]]);
    try {
      const recorded = await lifecycle.up(flagged.host, flagged.resources, state);
      expect(recorded.steps.map((x) => [x.kind, x.ok])).toEqual([["create", true]]);
      expect(state.get(resources[0]!.urn)!.outputs).toMatchObject({ status: "Completed", mode: "recorded", evidence: expect.stringContaining("404") });
      expectRemovedExactly(s, [USERS.jane]);
    } finally {
      await flagged.host.stop();
    }
  });

  it("alreadyRemoved is refused while the account still exists, and starts nothing", async () => {
    s = await startSimulator();
    const flagged = await program(s, [["jane", { email: "jane.doe@example.com", alreadyRemoved: true }]]);
    try {
      const state: Parameters<typeof lifecycle.up>[2] = new Map();
      const out = await lifecycle.up(flagged.host, flagged.resources, state);
      expect(out.refused[0]?.failures?.[0]?.reason).toMatch(/alreadyRemoved is set, but DocSpace still has an account/);
      expect(s.writes()).toHaveLength(0);
    } finally {
      await flagged.host.stop();
    }
  });

  it("the portal restarting mid-run (same port, state kept)", async () => {
    s = await startSimulator({ taskDurationMs: 2500 });
    const { resources, host } = await program(s, [["jane", { email: "jane.doe@example.com" }], ["john", { email: "john.smith@example.com", transferTo: "team.lead@example.com" }]]);
    try {
      const state: Parameters<typeof lifecycle.up>[2] = new Map();
      const run = lifecycle.up(host, resources, state);
      while (s.portal.startedTasks.length < 2) await wait(20);
      const port = s.port;
      const portal = s.portal;
      await s.stop();
      await wait(1000);
      s = new (await import("./helpers")).sim.DocSpaceSimulator({ portal, rateLimits: false });
      await s.start(port);
      const outcome = await run;
      expect(outcome.steps.map((x) => x.ok)).toEqual([true, true]);
      for (const e of state.values()) expect(e.outputs.status).toBe("Completed");
      expectRemovedExactly(s, [USERS.jane, USERS.john]);
    } finally {
      await host.stop();
    }
  });
});
