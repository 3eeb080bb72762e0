/**
 * The real serialized providers in Pulumi's own dynamic-provider host, over gRPC, against the
 * simulator: Configure, Check, Diff, Create, Read, Update, Delete; then a lifecycle in the spirit
 * of "the plan after apply must be empty".
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HOST_ENV, hostModule, KEYS, lifecycle, pkg, REMOVAL_TYPE, ROOT, SELF_DELETE_TYPE, serializedProviders, startSimulator, USERS, writesTo, type Simulator , startHostFor, type Host } from "./helpers";

let s: Simulator;
let host: Host;
let removalProvider: string;
let selfDeleteProvider: string;

beforeAll(async () => {
  s = await startSimulator({ taskDurationMs: 300 });
  ({ removal: removalProvider, selfDelete: selfDeleteProvider } = await serializedProviders());
  host = await startHostFor(s, KEYS.owner);
});

afterAll(async () => {
  await host?.stop();
  await s?.stop();
});

describe("the serialized providers", () => {
  it("contain no API key and stay small", () => {
    for (const text of [removalProvider, selfDeleteProvider]) {
      for (const key of Object.values(KEYS)) expect(text).not.toContain(key);
      expect(text).not.toMatch(/sk-[a-z]/);
    }
    const size = Buffer.byteLength(removalProvider);
    console.log(`__provider size: UserRemoval ${size} bytes, SelfDeleteRequest ${Buffer.byteLength(selfDeleteProvider)} bytes`);
    expect(size).toBeLessThan(3000);
  });
});

describe("UserRemoval through the provider host", () => {
  const urn = hostModule.urnFor(REMOVAL_TYPE, "jane.doe@example.com");
  let outputs: Record<string, unknown>;

  it("Check validates, normalises and preflights", async () => {
    const ok = await host.check(urn, undefined, { email: " JANE.doe@example.com", __provider: removalProvider });
    expect(ok.failures).toEqual([]);
    expect(ok.inputs).toEqual({ email: "jane.doe@example.com", __provider: removalProvider });
    const refused = await host.check(hostModule.urnFor(REMOVAL_TYPE, "x"), undefined, { email: "olivia.owner@example.com", __provider: removalProvider });
    expect(refused.failures[0]!.reason).toContain("portal owner");
    expect(writesTo(s)).toEqual([]);
  });

  it("Create removes the account and returns the progress state with the provider", async () => {
    const res = await host.create(urn, { email: "jane.doe@example.com", reason: "HR-9", __provider: removalProvider });
    expect(res.id).toBe(USERS.jane);
    expect(res.properties).toMatchObject({ status: "Completed", userId: USERS.jane, mode: "remove", reason: "HR-9", __provider: removalProvider });
    outputs = res.properties;
  });

  it("Diff with the same inputs shows no changes; another account shows a replacement", async () => {
    expect(await host.diff(urn, USERS.jane, outputs, { email: "jane.doe@example.com", reason: "HR-9", __provider: removalProvider })).toEqual({ changes: "none", replaces: [] });
    expect(await host.diff(urn, USERS.jane, outputs, { email: "nora.north@example.com", __provider: removalProvider })).toEqual({ changes: "some", replaces: ["email"] });
  });

  it("Read keeps it completed; Update records a new reason without a request; Delete touches nothing", async () => {
    const before = s.log.length;
    const read = await host.read(urn, USERS.jane, outputs);
    expect(read.properties).toMatchObject({ status: "Completed" });
    const updated = await host.update(urn, USERS.jane, outputs, { email: "jane.doe@example.com", reason: "HR-10", __provider: removalProvider });
    expect(updated.properties).toMatchObject({ status: "Completed", reason: "HR-10" });
    await host.delete(urn, USERS.jane, updated.properties);
    expect(s.log.length).toBe(before);
  });

  it("a failed removal comes back as a partially created resource carrying its provider", async () => {
    s.portal.failNext.set(USERS.mark, "Quota service unavailable");
    const markUrn = hostModule.urnFor(REMOVAL_TYPE, USERS.mark);
    const err = await host.create(markUrn, { userId: USERS.mark, __provider: removalProvider }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(hostModule.InitFailedError);
    const partial = err as InstanceType<typeof hostModule.InitFailedError>;
    expect(partial.message).toContain("Quota service unavailable");
    expect(partial.id).toBe(USERS.mark);
    expect(partial.properties).toMatchObject({ status: "Failed", __provider: removalProvider });
    const resumed = await host.update(markUrn, partial.id, partial.properties, { userId: USERS.mark, __provider: removalProvider });
    expect(resumed.properties).toMatchObject({ status: "Completed" });
  });
});

describe("SelfDeleteRequest through the provider host", () => {
  it("Check refuses the owner's key; Create sends once for another key", async () => {
    const urn = hostModule.urnFor(SELF_DELETE_TYPE, "me");
    const refused = await host.check(urn, undefined, { __provider: selfDeleteProvider });
    expect(refused.failures[0]!.reason).toContain("portal owner");
    const other = await hostModule.ProviderHost.start({ cwd: ROOT, env: HOST_ENV });
    try {
      await other.configure({ "docspace:url": s.url, "docspace:apiKey": KEYS.guest });
      const created = await other.create(urn, { trigger: "1", __provider: selfDeleteProvider });
      expect(created.properties).toMatchObject({ email: "guest.gail@example.com", trigger: "1" });
      expect(s.portal.selfDeleteEmails.map((e) => e.email)).toEqual(["guest.gail@example.com"]);
    } finally {
      await other.stop();
    }
  });
});

describe("lifecycle: the plan after apply is empty", () => {
  it("create, same inputs show no changes, refresh keeps it completed, removing the entry deletes without writes", async () => {
    const sim = await startSimulator({ taskDurationMs: 300 });
    const h = await hostModule.ProviderHost.start({ cwd: ROOT, env: HOST_ENV });
    try {
      await h.configure({ "docspace:url": sim.url, "docspace:apiKey": KEYS.owner });
      const nora = () => new pkg.UserRemoval("nora.north@example.com", { email: "nora.north@example.com", reason: "HR-1" });
      const john = () => new pkg.UserRemoval("john.smith@example.com", { email: "john.smith@example.com", transferTo: "team.lead@example.com" });
      const all = () => [nora(), john()];
      const { resources } = await lifecycle.declareResources(all);
      const state: Parameters<typeof lifecycle.up>[2] = new Map();

      const first = await lifecycle.up(h, resources, state);
      expect(first.refused).toEqual([]);
      expect(first.steps.map((x) => [x.kind, x.ok])).toEqual([["create", true], ["create", true]]);
      expect([...state.values()].map((e) => e.outputs.status)).toEqual(["Completed", "Completed"]);

      const writesAfterApply = sim.writes().length;
      const again = await lifecycle.preview(h, resources, state);
      expect(again.map((x) => x.kind)).toEqual(["same", "same"]);

      await lifecycle.refresh(h, state);
      expect([...state.values()].map((e) => e.outputs.status)).toEqual(["Completed", "Completed"]);
      expect((await lifecycle.preview(h, resources, state)).map((x) => x.kind)).toEqual(["same", "same"]);

      const onlyNora = await lifecycle.declareResources(() => [nora()]);
      const removedEntry = await lifecycle.up(h, onlyNora.resources, state);
      expect(removedEntry.steps.map((x) => [x.kind, x.name, x.ok])).toEqual([
        ["same", "nora.north@example.com", true],
        ["delete", "john.smith@example.com", true],
      ]);
      expect(sim.writes().length).toBe(writesAfterApply);
      expect(sim.portal.startedTasks).toHaveLength(2);
    } finally {
      await h.stop();
      await sim.stop();
    }
  });
});
