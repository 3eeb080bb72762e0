/**
 * Three defects found by reading the gate (issue 16), each driven through the real serialized
 * provider in Pulumi's own provider host against the simulator. What happened to people is read
 * from the simulator's own record.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { expectEveryFaultFired, HOST_ENV, hostModule, KEYS, REMOVAL_TYPE, ROOT, serializedProviders, startSimulator, wait, type Simulator } from "./helpers";

type Host = Awaited<ReturnType<typeof hostModule.ProviderHost.start>>;
type Props = Record<string, unknown>;

let s: Simulator;
let host: Host;
let removalProvider: string;
let n = 0;

beforeAll(async () => {
  s = await startSimulator({ taskDurationMs: 300 });
  ({ removal: removalProvider } = await serializedProviders());
  host = await hostModule.ProviderHost.start({ cwd: ROOT, env: HOST_ENV });
  await host.configure({ "docspace:url": s.url, "docspace:apiKey": KEYS.owner, "docspace:maxRemovalsPerRun": "1000" });
});
afterAll(async () => {
  await host?.stop();
  await s?.stop();
});
afterEach(() => expectEveryFaultFired(s));

const withProvider = (props: Props): Props => ({ ...props, __provider: removalProvider });
const urn = (name: string): string => hostModule.urnFor(REMOVAL_TYPE, name);

function person(opts: { email?: string; type?: "User" | "RoomAdmin"; status?: number } = {}): { id: string; email: string } {
  n++;
  const u = s.portal.addUser({ email: opts.email ?? `person${n}.defect@example.com`, type: opts.type ?? "User", status: opts.status ?? 1 });
  return { id: u.id, email: u.email };
}

const startsFor = (id: string) => s.portal.startedTasks.filter((t) => t.userId === id);
const outcome = <T>(p: Promise<T>): Promise<{ ok: T } | { error: Error }> => p.then((ok) => ({ ok }), (error: unknown) => ({ error: error as Error }));

async function untilTask(kind: "remove" | "reassign", id: string, status: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    s.portal.advance();
    if (s.portal.visibleTask(kind, id)?.status === status) return;
    await wait(50);
  }
  throw new Error(`the ${kind} task of ${id} never reached status ${status}`);
}

describe("alreadyRemoved by email needs DocSpace's search to have answered", () => {
  it("a live account whose address differs in letter case is not recorded as removed when the search is refused (403)", async () => {
    n++;
    // people/email is case-sensitive on PostgreSQL only (MySQL, the default, would find the account): the case this test is about.
    s.portal.options.database = "postgres";
    const live = person({ email: `Mixed.Case${n}@example.com` });
    const asked = live.email.toLowerCase(); // the exact lookup is case-sensitive: it answers 404 for this
    s.inject({ route: "GET people/filter", kind: "respond", times: 50, response: { status: 403, body: "" } });

    try {
      const checked = await host.check(urn(asked), undefined, withProvider({ email: asked, alreadyRemoved: true }));
      expect(checked.failures.map((f) => f.reason).join(" ")).toMatch(/search|people\/filter/);
      const created = await outcome(host.create(urn(asked), withProvider({ email: asked, alreadyRemoved: true })));
      expect("error" in created).toBe(true);
      expect(s.portal.liveUser(live.id)).toBeDefined();
    } finally {
      s.portal.options.database = "mysql"; // the simulator is shared by the file
    }
  });
});

describe("a kept-profile transfer is settled only by a task this stack saw start", () => {
  for (const status of ["Unconfirmed", "Failed", "Canceled"] as const) {
    it(`a ${status} DataTransfer is not recorded Completed by someone else's finished transfer to another successor`, async () => {
      const leaver = person({ status: 2 });
      const ours = person({ type: "RoomAdmin" });
      const theirs = person({ type: "RoomAdmin" });
      s.portal.startFromUi("reassign", leaver.id, { toUserId: theirs.id, deleteProfile: false });
      await untilTask("reassign", leaver.id, 2);
      const stored: Props = {
        userId: leaver.id,
        email: leaver.email,
        displayName: "",
        accountType: "User",
        mode: "keep",
        transferTo: ours.email,
        transferToId: ours.id,
        taskId: status === "Unconfirmed" ? "" : `1_${leaver.id}_ReassignProgressItem`,
        status,
        percentage: 0,
        error: "earlier",
        startedAt: new Date().toISOString(),
        allowAdmin: false,
        timeoutSeconds: 30,
        portal: new URL(s.url).origin,
      };
      const news = withProvider({ email: leaver.email, transferTo: ours.email, keepProfile: true, timeoutSeconds: 30 });
      const before = startsFor(leaver.id).length;
      const updated = await outcome(host.update(urn(leaver.email), leaver.id, withProvider(stored), news));
      if ("ok" in updated) expect(updated.ok.properties.status).not.toBe("Completed");
      else expect(updated.error.message).toMatch(/not started by this stack|cannot tell|does not say/);
      // Whatever it did, it never claimed the other transfer as this record's proof.
      expect(startsFor(leaver.id).length - before).toBeLessThanOrEqual(1);
      const refreshed = await host.read(urn(leaver.email), leaver.id, withProvider(stored));
      expect(refreshed.properties.status).not.toBe("Completed");
    });
  }
});

describe("a removal with transferTo whose transfer finishes during the gate's reads", () => {
  it("is recorded done from DocSpace's proof, and no second reassign/start is sent", async () => {
    const leaver = person({ status: 2 });
    const successor = person({ type: "RoomAdmin" });
    const task = s.portal.startFromUi("reassign", leaver.id, { toUserId: successor.id, deleteProfile: true });
    task.durationMs = 4000;
    // The account read sees the person; the progress read is answered after the task has finished.
    s.inject({ route: "GET people/reassign/progress/{userid}", kind: "delay", delayMs: 5000, times: 1 });
    const created = await outcome(host.create(urn(leaver.email), withProvider({ email: leaver.email, transferTo: successor.email, timeoutSeconds: 30 })));
    const reassignsOf = s.requests("POST people/reassign/start").filter((r) => JSON.stringify(r.body ?? "").toLowerCase().includes(leaver.id.toLowerCase()));
    expect(reassignsOf).toHaveLength(0);
    expect(startsFor(leaver.id)).toHaveLength(1);
    if ("error" in created) throw created.error;
    expect(created.ok.properties.status).toBe("Completed");
    expect(String(created.ok.properties.evidence)).toMatch(/404/);
  });
});
