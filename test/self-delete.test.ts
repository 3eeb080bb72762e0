import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { KEYS, pkg, startSimulator, usePortal, USERS, writesTo, type Simulator } from "./helpers";

const provider = pkg.selfDeleteRequestProvider;
let s: Simulator;

beforeEach(async () => {
  s = await startSimulator({ rateLimits: {} });
  usePortal(s.url, KEYS.user);
});
afterEach(async () => s.stop());

describe("SelfDeleteRequest", () => {
  it("sends the instructions exactly once and stores plain text", async () => {
    const { outs } = await provider.create({ trigger: "2026-11" });
    expect(outs).toMatchObject({
      userId: USERS.jane,
      email: "jane.doe@example.com",
      message: "Instructions to disable your profile has been sent to jane.doe@example.com email address",
      trigger: "2026-11",
    });
    expect(Number.isNaN(Date.parse(outs.sentAt))).toBe(false);
    expect(writesTo(s)).toEqual(["PUT people/self/delete"]);
    expect(s.portal.selfDeleteEmails).toHaveLength(1);
  });

  it("retries a 429 after Retry-After, and nothing else", async () => {
    s.inject({ route: "PUT people/self/delete", kind: "429", retryAfterSeconds: 1 });
    await provider.create({});
    expect(s.requests("PUT people/self/delete").map((r) => r.status)).toEqual([429, 200]);

    s.inject({ route: "PUT people/self/delete", kind: "applied-then-503" });
    await expect(provider.create({})).rejects.toThrow(/HTTP 503/);
    expect(s.requests("PUT people/self/delete").map((r) => r.status)).toEqual([429, 200, 503]);
    expect(s.portal.selfDeleteEmails).toHaveLength(2);
  });

  it("refuses the owner with a clear error, in check and in create, without sending", async () => {
    usePortal(s.url, KEYS.owner);
    const r = await provider.check!({}, {});
    expect(r.failures?.[0]?.reason).toMatch(/portal owner .* does not let the owner delete their own profile/);
    await expect(provider.create({})).rejects.toThrow(/owner/);
    expect(writesTo(s)).toEqual([]);
  });

  it("a new trigger means sending again (replacement); the same inputs mean nothing", async () => {
    const { outs } = await provider.create({ trigger: "a" });
    expect(await provider.diff!("x", outs, { trigger: "a" })).toEqual({ changes: false });
    expect((await provider.diff!("x", outs, { trigger: "b" })).replaces).toEqual(["trigger"]);
  });

  it("delete and read touch nothing", async () => {
    const { id, outs } = await provider.create({});
    const before = s.log.length;
    await provider.delete!(id, outs);
    expect((await provider.read!(id, outs)).props).toEqual(outs);
    expect(s.log.length).toBe(before);
  });

  it("a sixth request in 15 minutes is throttled by DocSpace and reported, not retried for 15 minutes", async () => {
    for (let i = 0; i < 5; i++) await provider.create({});
    await expect(provider.create({})).rejects.toThrow(/throttling/);
    expect(s.portal.selfDeleteEmails).toHaveLength(5);
  });
});
