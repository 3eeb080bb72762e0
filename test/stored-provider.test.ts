/**
 * The provider each resource stores in its state (`__provider`, in its inputs and again in its
 * outputs): small (issue 17: bytes per record), refusing rather than skipping a check if a host
 * ever calls it before configure, and the providers stored by earlier versions still run.
 */
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fromDist, HOST_ENV, hostModule, KEYS, lifecycle, pkg, REMOVAL_TYPE, ROOT, SELF_DELETE_TYPE, startSimulator, type Simulator } from "./helpers";
import type * as DispatchModule from "../provider/resources/host/dispatch";

type Props = Record<string, unknown>;
type Host = Awaited<ReturnType<typeof hostModule.ProviderHost.start>>;

const nodeRequire = createRequire(join(ROOT, "package.json"));
const requireFromString = createRequire(nodeRequire.resolve("@pulumi/pulumi/package.json"))("require-from-string") as (code: string) => { handler(): Record<string, (...a: unknown[]) => Promise<unknown>> };
const dispatch = fromDist("provider/resources/host/dispatch.js") as typeof DispatchModule;

let stored: Record<string, string>;
let s: Simulator;
const hosts: Host[] = [];

beforeAll(async () => {
  const declared = await lifecycle.declareResources(() => [
    new pkg.UserRemoval("probe", { email: "probe@example.com" }),
    new pkg.DataTransfer("probe-transfer", { email: "probe2@example.com", transferTo: "someone@example.com" }),
    new pkg.AccountSuspension("probe-suspension", { email: "probe3@example.com" }),
    new pkg.SelfDeleteRequest("probe-self", {}),
  ]);
  stored = Object.fromEntries(declared.resources.map((r) => [r.type.split(":").pop()!, String(r.inputs.__provider)]));
  s = await startSimulator({ taskDurationMs: 100 });
});
afterAll(async () => {
  for (const h of hosts) await h.stop();
  await s?.stop();
});

describe("the stored provider", () => {
  it("is one small dispatch, the same text for UserRemoval and DataTransfer", () => {
    expect(Object.keys(stored).sort()).toEqual(["AccountSuspension", "DataTransfer", "SelfDeleteRequest", "UserRemoval"]);
    for (const [kind, text] of Object.entries(stored)) {
      // Stored twice per record: issue 17 budgets 2,500 bytes for a whole record in `pulumi stack export`.
      expect(Buffer.byteLength(JSON.stringify(text)), kind).toBeLessThanOrEqual(650);
      expect(text, kind).toContain('"pulumi-docspace/dispatch"');
    }
    expect(stored.DataTransfer).toBe(stored.UserRemoval);
  });

  it("called for anything before configure, it refuses and does nothing", async () => {
    const s0 = s.log.length;
    const provider = requireFromString(stored.UserRemoval!).handler();
    await expect(Promise.resolve().then(() => provider.check!({}, { email: "someone@example.com" }))).rejects.toThrow(/called before configure; nothing was done/);
    // Nothing else is there to call: a host that created without configuring would fail before sending anything.
    expect(provider.create).toBeUndefined();
    expect(() => dispatch.install({}, "NoSuchKind", { config: { get: () => undefined } })).toThrow(/does not know/);
    expect(s.log.length).toBe(s0);
  });

  it("configure puts the kind's own methods in place", async () => {
    const provider = requireFromString(stored.SelfDeleteRequest!).handler();
    const first = provider.check;
    await provider.configure!({ config: { get: () => undefined } });
    expect(provider.check).not.toBe(first);
    expect(provider.configure).not.toBe(first);
  });
});

describe("providers stored by earlier versions (seven shims loading the implementation subpaths)", () => {
  /** The text each kind's provider had in state written before the resources moved into folders (fixtures, as those versions serialized them). */
  const old = (kind: string): string => readFileSync(join(ROOT, "test", "fixtures", "old-state", `${kind}.provider.txt`), "utf8");

  it("still check and create a removal in Pulumi's own host", async () => {
    const text = old("user-removal");
    expect(text).toContain("pulumi-docspace/dist/provider/resources/user-removal-impl.js");
    const h = await hostModule.ProviderHost.start({ cwd: ROOT, env: HOST_ENV });
    hosts.push(h);
    await h.configure({ "docspace:url": s.url, "docspace:apiKey": KEYS.owner, "docspace:maxRemovalsPerRun": "10" });
    const u = s.portal.addUser({ email: "old.state@example.com" });
    const urn = hostModule.urnFor(REMOVAL_TYPE, "old-state");
    const news: Props = { email: u.email, __provider: text };
    const checked = await h.check(urn, undefined, news);
    expect(checked.failures).toEqual([]);
    const created = await h.create(urn, checked.inputs);
    expect(created.properties).toMatchObject({ userId: u.id, status: "Completed", __provider: text });
  });

  it("still check a suspension and read a self-delete request, each through its old subpath", async () => {
    const h = await hostModule.ProviderHost.start({ cwd: ROOT, env: HOST_ENV });
    hosts.push(h);
    await h.configure({ "docspace:url": s.url, "docspace:apiKey": KEYS.owner });
    const u = s.portal.addUser({ email: "old.suspension@example.com" });
    const suspension = old("account-suspension");
    expect(suspension).toContain("pulumi-docspace/dist/provider/resources/account-suspension-impl.js");
    const checked = await h.check(hostModule.urnFor("pulumi-nodejs:dynamic/docspace:AccountSuspension", "old-suspension"), undefined, { email: u.email, __provider: suspension });
    expect(checked.failures).toEqual([]);
    const selfDelete = old("self-delete");
    expect(selfDelete).toContain("pulumi-docspace/dist/provider/resources/self-delete-impl.js");
    const stored = { userId: "x", email: "", sentAt: "2026-01-01T00:00:00.000Z", message: "", status: "Sent", __provider: selfDelete };
    const read = await h.read(hostModule.urnFor(SELF_DELETE_TYPE, "old-self"), "x", stored);
    expect(read.properties).toMatchObject({ status: "Sent" });
  });
});
