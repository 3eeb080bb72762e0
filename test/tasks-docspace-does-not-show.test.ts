/**
 * DocSpace runs one task at a time per queue, and drops a task from its progress route (and from
 * its start's dedupe) once it has waited in the queue for longer than the cleaner allows (60 s;
 * scaled down here). docspace-api.md, section 6. A task DocSpace does not show is never finished
 * and never failed, and no second task is started while the first may still run. Asserted from
 * the simulator's own record of every task it queued.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createFailure, KEYS, pkg, startSimulator, usePortal, USERS, type Simulator } from "./helpers";

const provider = pkg.userRemovalProvider;
type Props = Record<string, unknown>;

interface PartialFailure extends Error {
  id: string;
  properties: Props;
}

const createFails = (inputs: Props): Promise<PartialFailure> => createFailure<PartialFailure>(provider, inputs);

let s: Simulator;

beforeEach(async () => {
  // The cleaner's limit scaled from 60 s to 400 ms; a task holds its queue for 1.2 s.
  s = await startSimulator({ taskDurationMs: 1200, unregisterAfterMs: 400 });
  usePortal(s.url, KEYS.owner);
});
afterEach(async () => {
  delete process.env.DOCSPACE_UNSEEN_TASK_HOURS;
  await s.stop();
});

/** Someone else's task (the web UI's) holds the queue, so this step's task waits behind it. */
function occupyQueue(kind: "remove" | "reassign"): void {
  if (kind === "remove") s.portal.startFromUi("remove", USERS.mark);
  else s.portal.startFromUi("reassign", USERS.mark, { toUserId: USERS.archive, deleteProfile: false });
}

describe("a task waiting in DocSpace's queue, which DocSpace does not show", () => {
  it("a removal queued past the cleaner's limit is followed to the profile's 404: Completed, never Failed, one task", async () => {
    occupyQueue("remove");
    const { outs } = await provider.create({ email: "jane.doe@example.com" });
    expect(outs).toMatchObject({ status: "Completed", evidence: expect.stringContaining(`GET people/${USERS.jane}`) });
    const tasks = s.portal.tasksFor(USERS.jane);
    expect(tasks).toHaveLength(1);
    expect(tasks[0]!.droppedWhileQueued, "the task really left the progress route while it waited").toBe(true);
    expect(s.portal.removedUsers().filter((id) => id === USERS.jane)).toHaveLength(1);
  });

  it("a transfer keeping the profile is Completed only with its task seen Completed, never on reassign/necessary", async () => {
    occupyQueue("reassign");
    const { outs } = await provider.create({ email: "jane.doe@example.com", transferTo: "archive@example.com", keepProfile: true });
    const [task] = s.portal.tasksFor(USERS.jane, "reassign");
    expect(task!.droppedWhileQueued).toBe(true);
    expect(task!.finishedAt, "the transfer had run when it was recorded").toBeDefined();
    expect(outs).toMatchObject({ status: "Completed", evidence: expect.stringMatching(/reassign\/progress: task .* status 2/) });
    expect(s.requests("GET people/reassign/necessary")).toHaveLength(0);
  });

  it("past timeoutSeconds while queued: recorded still Running (not Failed); refresh keeps it so; the next up follows it without a second task", async () => {
    s.portal.options.taskDurationMs = 2500;
    occupyQueue("remove");
    const e = await createFails({ email: "jane.doe@example.com", timeoutSeconds: 1 });
    expect(e.properties).toMatchObject({ status: "Running" });
    expect(e.message).toMatch(/may be waiting in DocSpace's queue/);

    const refreshed = (await provider.read!(e.id, e.properties)).props;
    expect(refreshed).toMatchObject({ status: "Running" });

    const { outs } = await provider.update!(e.id, refreshed, { email: "jane.doe@example.com", timeoutSeconds: 30 });
    expect(outs).toMatchObject({ status: "Completed" });
    expect(s.portal.tasksFor(USERS.jane), "one task for the person").toHaveLength(1);
  });
});

describe("a start whose answer was lost", () => {
  it("is followed, never started again, while the task may still wait (unseenTaskHours); after that the next up starts it once", async () => {
    // The connection drops before DocSpace sees the start: nothing was queued, but nothing here can know that.
    s.inject({ route: "POST people/remove/start", kind: "reset" });
    const e = await createFails({ email: "jane.doe@example.com", timeoutSeconds: 1 });
    expect(e.properties).toMatchObject({ status: "Unconfirmed" });
    expect(s.portal.tasksFor(USERS.jane)).toHaveLength(0);

    const again = await provider.update!(e.id, e.properties, { email: "jane.doe@example.com", timeoutSeconds: 1 }).catch((x: PartialFailure) => x);
    expect(again).toBeInstanceOf(Error);
    expect((again as PartialFailure).properties).toMatchObject({ status: "Unconfirmed" });
    expect(s.requests("POST people/remove/start"), "no second start inside the window").toHaveLength(1);

    process.env.DOCSPACE_UNSEEN_TASK_HOURS = "0.0001"; // 360 ms
    await new Promise((r) => setTimeout(r, 500));
    const { outs } = await provider.update!(e.id, e.properties, { email: "jane.doe@example.com", timeoutSeconds: 30 });
    expect(outs).toMatchObject({ status: "Completed" });
    expect(s.portal.tasksFor(USERS.jane)).toHaveLength(1);
  });
});

describe("one task per DocSpace queue in flight from a run", () => {
  it("ten removals created at once: DocSpace never holds two of them at the same moment, none waits past the cleaner's limit, all Completed", async () => {
    s.portal.options.taskDurationMs = 150;
    const people = Array.from({ length: 10 }, (_, i) => s.portal.addUser({ email: `leaver.${i}@example.com` }));
    const results = await Promise.all(people.map((p) => provider.create({ email: p.email })));
    expect(results.map((r) => r.outs.status)).toEqual(people.map(() => "Completed"));
    const tasks = people.flatMap((p) => s.portal.tasksFor(p.id));
    expect(tasks).toHaveLength(10);
    expect(tasks.some((t) => t.droppedWhileQueued)).toBe(false);
    const spans = tasks.map((t) => [t.enqueuedAt, t.finishedAt!] as const).sort((a, b) => a[0] - b[0]);
    for (let i = 1; i < spans.length; i++) expect(spans[i]![0], "queued only after the previous one finished").toBeGreaterThanOrEqual(spans[i - 1]![1]);
  });
});
