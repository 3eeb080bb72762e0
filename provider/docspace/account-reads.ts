/**
 * Reading accounts (by email or id, the key's own account and scopes) and disabling them. What the
 * answers mean is the gate's (resources/gate/). Reuse is kept per client, never per process:
 * - in a step (create/update), an account read is reused only if sent after the step began; the
 *   key's own account up to KEY_STEP_REUSE_MS before (a key's identity never changes, and DocSpace
 *   checks rights again on the start itself, so an older answer can only refuse more);
 * - in a check (preview), the key's facts for KEY_REUSE_MS, account reads only while in flight.
 */
import type { DocSpaceClient } from "./client";
import { stepStartedAt } from "./deadline";
import { boundText, DocSpaceError, isDocSpaceError } from "./errors";
import { EmployeeStatus, isDisabled, type Employee } from "./schemas";

export type AccountRef = { email: string; userId?: undefined } | { userId: string; email?: undefined };

/** What a lookup found: the answer as DocSpace gave it (identity is checked by the caller). */
export type Lookup =
  | { found: true; user: Employee }
  /**
   * DocSpace's own "not found" (its error envelope on a 404 or a 400 "not found"). By email,
   * `searchRefused` says why the search that ignores letter case did not answer (then only the
   * exact lookup spoke, which heeds letter case on PostgreSQL portals).
   */
  | { found: false; envelope: true; message: string; searchRefused?: string }
  /** A 404 without DocSpace's envelope: a proxy, a wrong path, another service. Not proof of anything. */
  | { found: false; envelope: false; message: string };

const KEY_REUSE_MS = 60_000;
const KEY_STEP_REUSE_MS = 5_000;

/** One client's shared reads, batches, and email lookups in flight. */
interface ClientReads {
  recent: Map<string, { sentAt: number; settled: boolean; answer: Promise<unknown> }>;
  emails?: Batch<string, Employee[]>;
  disables?: Batch<string, Employee>;
  emailLookupsInFlight: number;
}

/** Attached to the client object: gone with it (no process-wide table of answers). */
const byClient = new WeakMap<DocSpaceClient, ClientReads>();

function readsOf(client: DocSpaceClient): ClientReads {
  let r = byClient.get(client);
  if (!r) {
    r = { recent: new Map(), emailLookupsInFlight: 0 };
    byClient.set(client, r);
  }
  return r;
}

/** One request for identical reads, under the freshness rule above; a failed read is never reused. */
function shared<T>(client: DocSpaceClient, key: string, read: () => Promise<T>, reuse: { outsideStepMs: number; beforeStepMs: number } = { outsideStepMs: 0, beforeStepMs: 0 }): Promise<T> {
  const recent = readsOf(client).recent;
  const started = stepStartedAt();
  const hit = recent.get(key);
  const fresh = hit && (started !== undefined ? hit.sentAt >= started - reuse.beforeStepMs : !hit.settled || hit.sentAt >= Date.now() - reuse.outsideStepMs);
  if (hit && fresh) return hit.answer as Promise<T>;
  const entry = { sentAt: Date.now(), settled: false, answer: read() as Promise<unknown> };
  entry.answer.then(
    () => (entry.settled = true),
    () => {
      if (recent.get(key) === entry) recent.delete(key);
    },
  );
  recent.set(key, entry);
  if (recent.size > 10_000) for (const [k, v] of recent) if (v.sentAt < Date.now() - KEY_REUSE_MS) recent.delete(k);
  return entry.answer as Promise<T>;
}

/**
 * Collects the keys asked for within `windowMs` and resolves them with one bulk call. `bulk`
 * returns an answer per key, or undefined where the caller must ask for that key alone.
 */
class Batch<K, V> {
  private pending = new Map<K, Array<{ resolve: (v: V | undefined) => void; reject: (e: unknown) => void }>>();
  private timer?: NodeJS.Timeout;
  constructor(
    private readonly windowMs: number,
    private readonly maxSize: number,
    private readonly bulk: (keys: K[]) => Promise<Map<K, V>>,
  ) {}

  ask(key: K): Promise<V | undefined> {
    return new Promise((resolve, reject) => {
      const waiters = this.pending.get(key) ?? [];
      waiters.push({ resolve, reject });
      this.pending.set(key, waiters);
      if (this.pending.size >= this.maxSize) this.flush();
      else this.timer ??= setTimeout(() => this.flush(), this.windowMs);
    });
  }

  private flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.pending;
    this.pending = new Map();
    if (batch.size === 0) return;
    this.bulk([...batch.keys()]).then(
      (answers) => {
        for (const [k, waiters] of batch) for (const w of waiters) w.resolve(answers.get(k));
      },
      // A failed bulk call proves nothing about any one key: each asks alone.
      () => {
        for (const waiters of batch.values()) for (const w of waiters) w.resolve(undefined);
      },
    );
  }
}

const BATCH_WINDOW_MS = 15;

/** Accounts whose stored address matches `email` (ignoring case), from one search over many addresses. */
function searchEmails(client: DocSpaceClient): Batch<string, Employee[]> {
  const reads = readsOf(client);
  reads.emails ??= new Batch(BATCH_WINDOW_MS, 40, async (emails) => {
    const found = new Map<string, Employee[]>(emails.map((e) => [e, []]));
    await searchAddresses(client, emails, found);
    return found;
  });
  return reads.emails;
}

/**
 * Looks an account up as the entry names it. By email: DocSpace's exact lookup, and when it finds
 * nothing, a search that ignores letter case (the stored address may have capitals). By id:
 * people/{id}. The answer is returned as given; its identity is checked by the gate.
 */
export async function lookUp(client: DocSpaceClient, ref: AccountRef, opts: { newRequest?: boolean } = {}): Promise<Lookup> {
  if (ref.userId !== undefined) {
    if (opts.newRequest) return byId(client, ref.userId);
    return shared(client, `id:${ref.userId.toLowerCase()}`, () => byId(client, ref.userId));
  }
  const email = ref.email;
  return shared(client, `email:${email.toLowerCase()}`, () => byEmail(client, email));
}

async function byId(client: DocSpaceClient, userId: string): Promise<Lookup> {
  try {
    return { found: true, user: await client.userById(userId) };
  } catch (e) {
    return notFound(e);
  }
}

async function byEmail(client: DocSpaceClient, email: string): Promise<Lookup> {
  const reads = readsOf(client);
  reads.emailLookupsInFlight++;
  try {
    return await byEmailCounted(client, email);
  } finally {
    reads.emailLookupsInFlight--;
  }
}

async function byEmailCounted(client: DocSpaceClient, email: string): Promise<Lookup> {
  // Many lookups at once (parallel creates, the program's look at a whole file): one search
  // answers most of them. A lookup alone (the engine checks one resource at a time) asks
  // directly rather than wait for a batch that would never form.
  const batched = readsOf(client).emailLookupsInFlight <= 1 ? undefined : await searchEmails(client).ask(email.toLowerCase());
  if (batched && batched.length === 1) return { found: true, user: batched[0]! };
  if (batched && batched.length > 1) {
    throw new DocSpaceError("unexpected-response", `DocSpace has ${batched.length} accounts with the address ${email} (${batched.map((u) => u.id).join(", ")}); refusing to guess which one is meant. Name the account by id instead.`);
  }
  let exact: Lookup;
  try {
    exact = { found: true, user: await client.userByEmail(email) };
  } catch (e) {
    exact = notFound(e);
  }
  if (exact.found) return exact;
  // The exact lookup heeds letter case on PostgreSQL portals (not on MySQL ones, docspace-api.md
  // 7.13), and the batched search may have been refused or may not have ORed its terms: before
  // saying "no such account", ask the search for this address alone.
  try {
    const page = await client.filterUsers({ filterValue: email, count: 100 });
    const matches = page.users.filter((u) => (u.email ?? "").toLowerCase() === email.toLowerCase());
    if (matches.length === 1) return { found: true, user: matches[0]! };
    if (matches.length > 1) {
      throw new DocSpaceError("unexpected-response", `DocSpace has ${matches.length} accounts with the address ${email}; refusing to guess which one is meant. Name the account by id instead.`);
    }
  } catch (e) {
    if (!isDocSpaceError(e, "forbidden")) throw e;
    return exact.envelope ? { ...exact, searchRefused: boundText(e.message, 200) } : exact;
  }
  return exact;
}

function notFound(e: unknown): Lookup {
  if (isDocSpaceError(e, "not-found")) return { found: false, envelope: e.envelope, message: e.serverMessage ?? e.message };
  throw e;
}

const KEY_FACTS_REUSE = { outsideStepMs: KEY_REUSE_MS, beforeStepMs: KEY_STEP_REUSE_MS };

/** The key's own account: undefined when DocSpace refuses to show it to this key (a scope missing). */
export function keyAccount(client: DocSpaceClient): Promise<Employee | undefined> {
  return shared(client, "@self", async () => {
    try {
      return await client.self();
    } catch (e) {
      if (isDocSpaceError(e, "forbidden")) return undefined;
      throw e;
    }
  }, KEY_FACTS_REUSE);
}

/**
 * The key's scopes (GET keys/@self, which every key may read: DocSpace maps it to no scope);
 * undefined when the portal has no such route. A refusal is not expected, so it is an error.
 */
export function keyScopes(client: DocSpaceClient): Promise<string[] | undefined> {
  return shared(client, "keys/@self", async () => {
    try {
      return (await client.currentKey()).permissions;
    } catch (e) {
      // Older portals and sessions that are not API keys: the route is missing or answers 400/500.
      if (isDocSpaceError(e, "not-found") || isDocSpaceError(e, "precondition") || isDocSpaceError(e, "server") || isDocSpaceError(e, "unexpected-response")) return undefined;
      throw e;
    }
  }, KEY_FACTS_REUSE);
}

/**
 * Disables an account (status 2), batched with others disabled at the same moment. Returns the
 * account as DocSpace reports it afterwards. PUT people/status fails whole when any one id is
 * refused, so a refused batch is retried one account at a time.
 */
export async function disable(client: DocSpaceClient, userId: string): Promise<Employee> {
  const reads = readsOf(client);
  const b = (reads.disables ??= new Batch(BATCH_WINDOW_MS, 50, async (ids) => {
    const updated = await client.setStatus(ids, 2);
    return new Map(updated.map((u) => [u.id.toLowerCase(), u]));
  }));
  const id = userId.toLowerCase();
  const batched = await b.ask(id);
  if (batched && isDisabled(batched)) return batched;
  const [alone] = await client.setStatus([id], 2);
  if (!alone || alone.id.toLowerCase() !== id) {
    throw new DocSpaceError("unexpected-response", `DocSpace answered the request to disable ${id} without that account in its answer; nothing was started.`);
  }
  return alone;
}

/** The person's name as DocSpace shows it: the display name, else first and last name (may be empty). */
export function nameOf(u: Employee): string {
  return u.displayName || [u.firstName, u.lastName].filter(Boolean).join(" ");
}

/** Whether an answer is the person asked for: the same id, or the same address (letter case aside). */
export function answersRef(ref: AccountRef, user: Employee): boolean {
  return ref.userId !== undefined ? sameId(user.id, ref.userId) : sameEmail(user.email, ref.email);
}

export function sameId(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

/** Letter case never tells two addresses apart. */
export function sameEmail(a: string | undefined, b: string | undefined): boolean {
  return a !== undefined && b !== undefined && a.trim().toLowerCase() === b.trim().toLowerCase();
}

export function describeAccount(u: Employee): string {
  const name = nameOf(u);
  return `${name ? `${name} ` : ""}<${u.email ?? u.id}>`;
}

/** Characters of the encoded filterValue per search: well under the 8 KB request line proxies and Kestrel allow. */
const SEARCH_TERMS_BUDGET = 3000;

/**
 * The program's look at the whole file: many entries answered per request, so a run costs what it
 * changes, not what the stack has finished. Either the portal's people list, paged (when the file
 * names anyone by id, or when the list is no longer than the searches would be), or DocSpace's
 * search with the addresses ORed (filterSeparator), paged, as many addresses per request as the
 * budget allows; letter case never matters to either. An entry the answers do not contain is "not
 * found" (removed accounts never appear); that is no proof of removal (only people/{id} gives
 * that), and the resources' own checks read it again. A read that fails leaves its entries to the
 * single lookups.
 */
export async function lookUpAll(client: DocSpaceClient, refs: AccountRef[]): Promise<Map<string, Lookup>> {
  const emails = [...new Set(refs.flatMap((r) => (r.email !== undefined ? [r.email.toLowerCase()] : [])))];
  const ids = [...new Set(refs.flatMap((r) => (r.userId !== undefined ? [r.userId.toLowerCase()] : [])))];
  const chunks: string[][] = [];
  for (const e of emails) {
    const last = chunks[chunks.length - 1];
    if (last && encodeURIComponent([...last, e].join(",")).length <= SEARCH_TERMS_BUDGET) last.push(e);
    else chunks.push([e]);
  }
  const out = new Map<string, Lookup>();
  const listed = ids.length > 0 || chunks.length > 1 ? await peopleList(client, ids.length > 0 ? Infinity : chunks.length) : undefined;
  if (listed) {
    const byEmail = new Map<string, Employee[]>();
    for (const u of listed.values()) {
      const key = (u.email ?? "").toLowerCase();
      if (key !== "") byEmail.set(key, [...(byEmail.get(key) ?? []), u]);
    }
    fileEmails(out, emails, byEmail, "no account with that address in DocSpace's people list");
    for (const id of ids) out.set(`id:${id}`, listed.has(id) ? { found: true, user: listed.get(id)! } : { found: false, envelope: true, message: "not in DocSpace's people list" });
    return out;
  }
  const found = new Map<string, Employee[]>();
  const searched = await Promise.all(
    chunks.map(async (chunk) => {
      try {
        for (const employeeStatus of [undefined, EmployeeStatus.Terminated]) await searchAddresses(client, chunk, found, employeeStatus);
        return chunk;
      } catch (e) {
        if (!isDocSpaceError(e)) throw e;
        return []; // asked one by one below
      }
    }),
  );
  fileEmails(out, searched.flat(), found, "no account with that address in DocSpace's people search");
  return out;
}

/**
 * DocSpace's search for many addresses in one request, paged: its filter matches a substring of
 * first name, last name or email, and with a separator the terms are ORed (commas cannot occur in
 * an address DocSpace accepts here). Adds to `found` each account whose address is one of
 * `emails` (lower-cased), once per account.
 */
async function searchAddresses(client: DocSpaceClient, emails: string[], found: Map<string, Employee[]>, employeeStatus?: number): Promise<void> {
  for await (const u of client.allUsers({ filterValue: emails.join(","), filterSeparator: ",", count: 100, employeeStatus })) {
    const key = (u.email ?? "").toLowerCase();
    if (!emails.includes(key)) continue; // a substring match of another address
    const list = found.get(key) ?? [];
    if (!list.some((x) => sameId(x.id, u.id))) list.push(u);
    found.set(key, list);
  }
}

/** Files each address's answer; an address held by several accounts is left to the single lookup, which refuses to guess. */
function fileEmails(out: Map<string, Lookup>, emails: string[], found: Map<string, Employee[]>, notFound: string): void {
  for (const email of emails) {
    const list = found.get(email) ?? [];
    if (list.length > 1) continue;
    out.set(`email:${email}`, list.length === 1 ? { found: true, user: list[0]! } : { found: false, envelope: true, message: notFound });
  }
}

/**
 * The portal's whole people list (by id), when it takes no more than `maxPages` pages; undefined
 * when it is longer, or when DocSpace refuses it (then the caller searches instead). Disabled
 * accounts are asked for by their status too: whether DocSpace's unfiltered list includes them is
 * not something to bet an offboarding run on, and they are the accounts a run most often acts on.
 */
async function peopleList(client: DocSpaceClient, maxPages: number): Promise<Map<string, Employee> | undefined> {
  try {
    const all = new Map<string, Employee>();
    for (const employeeStatus of [undefined, EmployeeStatus.Terminated]) {
      let page = await client.filterUsers({ count: 100, startIndex: 0, employeeStatus });
      if (Math.ceil(page.total / 100) > maxPages) return undefined;
      for (const u of page.users) all.set(u.id.toLowerCase(), u);
      // A full page may be followed by more, whatever `total` said (a portal may leave it out).
      for (let pages = 1; page.users.length === 100; pages++) {
        if (pages >= maxPages) return undefined;
        page = await client.filterUsers({ count: 100, startIndex: pages * 100, employeeStatus });
        for (const u of page.users) all.set(u.id.toLowerCase(), u);
      }
    }
    return all;
  } catch (e) {
    if (!isDocSpaceError(e)) throw e;
    return undefined;
  }
}

/** The key `lookUpAll` files a reference under. */
export function refKey(ref: AccountRef): string {
  return ref.userId !== undefined ? `id:${ref.userId.toLowerCase()}` : `email:${ref.email.toLowerCase()}`;
}
