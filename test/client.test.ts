import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { KEYS, pkg, startSimulator, USERS, type Simulator } from "./helpers";

const { DocSpaceClient, DocSpaceError } = pkg;
type Client = InstanceType<typeof DocSpaceClient>;

let s: Simulator;
let owner: Client;
const clientFor = (key: string, extra: Record<string, number> = {}): Client =>
  new DocSpaceClient({ url: s.url, apiKey: key, maxRetryDelayMs: 3000, ...extra });

async function failure(p: Promise<unknown>): Promise<InstanceType<typeof DocSpaceError>> {
  try {
    await p;
  } catch (e) {
    if (e instanceof DocSpaceError) return e;
    throw e;
  }
  throw new Error("expected the call to fail");
}

beforeEach(async () => {
  s = await startSimulator();
  owner = clientFor(KEYS.owner);
});
afterEach(async () => s.stop());

describe("every route the product uses", () => {
  it("reads users by email, id, @self and the paged filter", async () => {
    const jane = await owner.userByEmail("jane.doe@example.com");
    expect(jane).toMatchObject({ id: USERS.jane, email: "jane.doe@example.com", status: 1, isCollaborator: true });
    expect((await owner.userById(USERS.jane)).displayName).toBe("Jane Doe");
    expect((await owner.self()).isOwner).toBe(true);
    const page = await owner.filterUsers({ count: 5, startIndex: 5 });
    expect(page.users).toHaveLength(5);
    expect(page.total).toBe(14);
    const all = [];
    for await (const u of owner.allUsers({ count: 4 })) all.push(u.id);
    expect(new Set(all).size).toBe(14);
    expect((await owner.filterUsers({ filterValue: "LEAD" })).users.map((u) => u.email).sort()).toEqual(["former.lead@example.com", "team.lead@example.com"]);
  });

  it("disables, removes and follows progress until the profile is gone", async () => {
    const [disabled] = await owner.setStatus([USERS.jane], 2);
    expect(disabled!.status).toBe(2);
    const started = await owner.startRemove(USERS.jane);
    expect(started).toEqual({ id: `1_${USERS.jane}_RemoveProgressItem`, error: "", percentage: 0, isCompleted: false, status: 1 });
    await new Promise((r) => setTimeout(r, 400));
    expect(await owner.removeProgress(USERS.jane)).toMatchObject({ status: 2, isCompleted: true, percentage: 100 });
    expect(await owner.findUser({ userId: USERS.jane })).toBeUndefined();
  });

  it("reassigns with deleteProfile, reads progress, asks whether it is necessary", async () => {
    expect(await owner.reassignNecessary(USERS.john, "RoomAdmin")).toBe(true);
    expect(await owner.reassignNecessary(USERS.mark, "User")).toBe(false);
    await owner.setStatus([USERS.john], 2);
    const t = await owner.startReassign(USERS.john, USERS.teamLead, true);
    expect(t.id).toBe(`1_${USERS.john}_ReassignProgressItem`);
    expect((await owner.reassignProgress(USERS.john))?.status).toBe(1);
  });

  it("sends self-delete instructions and returns DocSpace's HTML string", async () => {
    expect(await clientFor(KEYS.user).sendSelfDeleteInstructions()).toBe("Instructions to disable your profile has been sent to <b>jane.doe@example.com</b> email address");
  });

  it("reads 'no task' as undefined, not as an error", async () => {
    expect(await owner.removeProgress(USERS.mark)).toBeUndefined();
    expect(await owner.reassignProgress(USERS.mark)).toBeUndefined();
  });
});

describe("typed errors", () => {
  it("401: authentication, naming the setting and never the key", async () => {
    const e = await failure(clientFor("sk-not-a-real-key-123").self());
    expect(e.kind).toBe("authentication");
    expect(e.httpStatus).toBe(401);
    expect(e.message).toContain("docspace:apiKey");
    expect(e.message).not.toContain("sk-not-a-real-key-123");
    expect(JSON.stringify(e)).not.toContain("sk-not-a-real-key-123");
  });

  it("401 for a revoked key", async () => {
    s.portal.revokeKey(KEYS.admin);
    expect((await failure(clientFor(KEYS.admin).self())).kind).toBe("authentication");
  });

  it("403 with a JSON body from the controller, and the empty-bodied 403 from scopes", async () => {
    const e = await failure(clientFor(KEYS.roomAdmin).startRemove(USERS.jane));
    expect(e).toMatchObject({ kind: "forbidden", httpStatus: 403, serverMessage: "Access denied" });
    const scoped = await failure(clientFor(KEYS.readonly).setStatus([USERS.jane], 2));
    expect(scoped).toMatchObject({ kind: "forbidden", httpStatus: 403, serverMessage: undefined });
    expect(scoped.message).toContain("empty body");
  });

  it("404 on lookups and remove/start's 400 'not found' are both not-found", async () => {
    expect((await failure(owner.userByEmail("nobody@example.com"))).kind).toBe("not-found");
    const e = await failure(owner.startRemove("00000000-0000-4000-8000-000000000000"));
    expect(e).toMatchObject({ kind: "not-found", httpStatus: 400 });
  });

  it("400 'Can not delete' is a refused precondition", async () => {
    const e = await failure(owner.startRemove(USERS.jane));
    expect(e).toMatchObject({ kind: "precondition", httpStatus: 400, serverMessage: `Can not delete user with id = ${USERS.jane}` });
  });

  it("400 inside the success wrapper is a validation error", async () => {
    // The client never sends an invalid body, so a stand-in portal answers as ASP.NET model validation does.
    const body = JSON.stringify({ response: { title: "One or more validation errors occurred.", status: 400, errors: { UserId: ["The UserId field is required."] } }, count: 1, links: [], status: 1, statusCode: 400 });
    const portal = createServer((_req, res) => {
      res.writeHead(400, { "Content-Type": "application/json" });
      res.end(body);
    });
    await new Promise<void>((r) => portal.listen(0, "127.0.0.1", () => r()));
    try {
      const url = `http://127.0.0.1:${(portal.address() as AddressInfo).port}`;
      const e = await failure(new DocSpaceClient({ url, apiKey: KEYS.owner }).startRemove(USERS.jane));
      expect(e).toMatchObject({ kind: "validation", httpStatus: 400 });
      expect(e.message).toContain("UserId: The UserId field is required.");
    } finally {
      await new Promise((r) => portal.close(r));
    }
  });

  it("429 without retries left is rate-limited with the server's wait", async () => {
    s.inject({ route: "GET people/@self", kind: "429", retryAfterSeconds: 120, times: 1 });
    const e = await failure(clientFor(KEYS.owner, { maxRetryDelayMs: 1000 }).self());
    expect(e).toMatchObject({ kind: "rate-limited", retryAfterSeconds: 120 });
    expect(e.message).toContain("DocSpace asks to wait 120 s");
  });

  it("5xx is a server error, a dropped connection a network error, a slow answer a timeout", async () => {
    s.inject({ route: "GET people/@self", kind: "500", times: 10 });
    expect((await failure(clientFor(KEYS.owner, { maxRetries: 0 }).self())).kind).toBe("server");
    s.clearFaults();
    s.inject({ route: "GET people/@self", kind: "reset", times: 10 });
    expect((await failure(clientFor(KEYS.owner, { maxRetries: 0 }).self())).kind).toBe("network");
    s.clearFaults();
    s.inject({ route: "GET people/@self", kind: "delay", delayMs: 1500 });
    expect((await failure(clientFor(KEYS.owner, { maxRetries: 0, requestTimeoutMs: 300 }).self())).kind).toBe("timeout");
  });

  it("refuses ids that are not GUIDs before any request", async () => {
    for (const bad of ["../../people/@self", "https://evil.example/x", "9924256a-739c-462b-af15", ""]) {
      expect((await failure(owner.removeProgress(bad))).kind).toBe("configuration");
    }
    expect(s.log).toHaveLength(0);
  });

  it("URL-encodes emails: the portal receives exactly the address asked for, as one parameter", async () => {
    await failure(owner.userByEmail("a+b&c=d@example.com"));
    expect(s.log[0]!.path).toBe("/api/2.0/people/email");
    const params = new URLSearchParams(s.log[0]!.query);
    expect([...params.keys()]).toEqual(["email"]);
    expect(params.get("email")).toBe("a+b&c=d@example.com");
  });
});

describe("retries", () => {
  it("reads the wait from Retry-After (seconds or a date) or X-RateLimit-Reset (seconds or epoch)", async () => {
    const { createRequire } = await import("node:module");
    const { ROOT } = await import("./helpers");
    const transport = createRequire(`${ROOT}/package.json`)(`${ROOT}/dist/provider/docspace/transport.js`) as typeof import("../provider/docspace/transport");
    const now = Date.parse("2026-11-22T10:00:00Z");
    expect(transport.retryAfterSeconds({ "retry-after": "7" }, now)).toBe(7);
    expect(transport.retryAfterSeconds({ "retry-after": "Sun, 22 Nov 2026 10:00:30 GMT" }, now)).toBe(30);
    expect(transport.retryAfterSeconds({ "x-ratelimit-reset": "12" }, now)).toBe(12);
    expect(transport.retryAfterSeconds({ "x-ratelimit-reset": String(now / 1000 + 45) }, now)).toBe(45);
    expect(transport.retryAfterSeconds({}, now)).toBeUndefined();
  });

  it("retries a read after 429 with Retry-After, waiting as asked", async () => {
    s.inject({ route: "GET people/@self", kind: "429", retryAfterSeconds: 1, times: 2 });
    const t0 = Date.now();
    expect((await owner.self()).id).toBe(USERS.owner);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(2000);
    expect(s.requests("GET people/@self").map((r) => r.status)).toEqual([429, 429, 200]);
  });

  it("retries reads on 503 and on a reset connection", async () => {
    s.inject({ route: "GET people/{userid}", kind: "503", times: 2 });
    s.inject({ route: "GET people/{userid}", kind: "reset", times: 1 });
    expect((await owner.userById(USERS.mark)).id).toBe(USERS.mark);
    expect(s.requests("GET people/{userid}").map((r) => r.status)).toEqual([503, 503, -1, 200]);
  });

  it("retries an idempotent write (status change) on 503", async () => {
    s.inject({ route: "PUT people/status/{status}", kind: "503", times: 1 });
    expect((await owner.setStatus([USERS.mark], 2))[0]!.status).toBe(2);
    expect(s.requests("PUT people/status/{status}")).toHaveLength(2);
  });

  it("never retries a start on 5xx: the caller must look first", async () => {
    await owner.setStatus([USERS.mark], 2);
    s.inject({ route: "POST people/remove/start", kind: "applied-then-503" });
    const e = await failure(owner.startRemove(USERS.mark));
    expect(e.kind).toBe("server");
    expect(s.requests("POST people/remove/start")).toHaveLength(1);
    expect(s.portal.startedTasks).toHaveLength(1);
  });

  it("retries a start on 429 (DocSpace ran nothing)", async () => {
    await owner.setStatus([USERS.mark], 2);
    s.inject({ route: "POST people/remove/start", kind: "429", retryAfterSeconds: 0 });
    expect((await owner.startRemove(USERS.mark)).status).toBe(1);
    expect(s.requests("POST people/remove/start").map((r) => r.status)).toEqual([429, 200]);
  });
});

describe("safety", () => {
  let other: Server;
  let otherHits: Array<string | undefined>;
  let redirector: Server;

  const listen = async (srv: Server): Promise<string> => {
    await new Promise<void>((r) => srv.listen(0, "127.0.0.1", () => r()));
    return `http://127.0.0.1:${(srv.address() as AddressInfo).port}`;
  };

  afterEach(async () => {
    await new Promise((r) => other?.close(r));
    await new Promise((r) => redirector?.close(r));
  });

  it("does not follow a redirect to another origin, so the key never leaves the portal", async () => {
    otherHits = [];
    other = createServer((req, res) => {
      otherHits.push(req.headers.authorization);
      res.end("{}");
    });
    const otherUrl = await listen(other);
    redirector = createServer((req, res) => {
      res.writeHead(302, { Location: `${otherUrl}${req.url}` });
      res.end();
    });
    const portal = await listen(redirector);
    const e = await failure(new DocSpaceClient({ url: portal, apiKey: KEYS.owner }).self());
    expect(e.kind).toBe("configuration");
    expect(e.message).toContain(otherUrl);
    expect(e.message).toContain("docspace:url");
    expect(otherHits).toEqual([]);
  });

  it("refuses http:// except for loopback, and bad URLs and keys, naming the setting", () => {
    const bad = (url: string, apiKey = "sk-x"): string => {
      try {
        new DocSpaceClient({ url, apiKey });
      } catch (e) {
        return (e as Error).message;
      }
      return "accepted";
    };
    expect(bad("http://portal.example.com")).toMatch(/docspace:url uses http:\/\//);
    expect(bad("http://localhost:8080")).toBe("accepted");
    expect(bad("https://portal.example.com/products/files")).toMatch(/without a path/);
    expect(bad("ftp://portal.example.com")).toMatch(/must start with https/);
    expect(bad("not a url")).toMatch(/not a valid URL/);
    expect(bad("")).toMatch(/portal URL is not set/);
    expect(bad("https://portal.example.com", "")).toMatch(/API key is not set/);
    expect(bad("https://portal.example.com", "Bearer sk-abc")).toMatch(/without the "Bearer " prefix/);
    expect(bad("https://portal.example.com", "sk-abc\r\nX-Evil: 1")).toMatch(/docspace:apiKey is malformed/);
    expect(bad("https://portal.example.com", "sk-abc\r\nX-Evil: 1")).not.toContain("X-Evil");
  });

  it("sends the key as a Bearer token, exactly, on every request to the portal", async () => {
    await owner.self();
    await owner.removeProgress(USERS.jane);
    expect(s.log.length).toBe(2);
    expect(s.log.map((r) => r.authorization)).toEqual([`Bearer ${KEYS.owner}`, `Bearer ${KEYS.owner}`]);
  });
});

describe("concurrency", () => {
  it("N parallel writes never exceed the write limit at the server", async () => {
    s.setLatency(30);
    const c = clientFor(KEYS.owner, { maxConcurrentWrites: 4, maxConcurrentRequests: 50 });
    const ids = [USERS.jane, USERS.mark, USERS.nora, USERS.paul, USERS.john];
    await Promise.all(Array.from({ length: 40 }, (_, i) => c.setStatus([ids[i % ids.length]!], 2)));
    expect(s.maxWritesInFlight).toBeLessThanOrEqual(4);
    expect(s.maxWritesInFlight).toBeGreaterThan(1);
  });

  it("N parallel reads never exceed the request limit", async () => {
    s.setLatency(30);
    const c = clientFor(KEYS.owner, { maxConcurrentRequests: 6 });
    await Promise.all(Array.from({ length: 60 }, () => c.userById(USERS.mark)));
    expect(s.maxRequestsInFlight).toBeLessThanOrEqual(6);
  });

  it("the rate limit queues instead of tripping DocSpace's 429", async () => {
    const limited = await startSimulator({ rateLimits: { requestsPerWindow: 20, windowMs: 1000 } });
    try {
      const c = new DocSpaceClient({ url: limited.url, apiKey: KEYS.owner, requestsPerMinute: 20, rateWindowMs: 1000 });
      await Promise.all(Array.from({ length: 50 }, () => c.userById(USERS.mark)));
      expect(limited.log.filter((r) => r.status === 429)).toHaveLength(0);
      expect(limited.log).toHaveLength(50);
    } finally {
      await limited.stop();
    }
  });
});
