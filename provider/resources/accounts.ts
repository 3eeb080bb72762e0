/**
 * Looking accounts up for both resources: by email or id (with a short per-process cache so the
 * create after a check does not ask again), and the key's own account. Read-only.
 */
import type { DocSpaceClient } from "../docspace/client";
import { isDocSpaceError } from "../docspace/errors";
import type { Employee } from "../docspace/schemas";

const LOOKUP_TTL_MS = 120_000;
const lookups = new Map<string, { user: Employee; at: number }>();
const callers = new Map<string, Promise<Employee | undefined>>();
const pending = new Map<string, Promise<Employee | undefined>>();

function cacheKey(client: DocSpaceClient, by: { email?: string; userId?: string }): string {
  return `${client.identity}|${by.userId ? `id:${by.userId}` : `email:${by.email}`}`;
}

/**
 * Finds an account by email or id. A hit is remembered briefly, so the create that follows a check
 * in the same `pulumi up` does not look the same account up again. Email lookups are exact at
 * DocSpace; a miss is retried through the case-insensitive search in case the stored address has
 * capitals.
 */
export async function findAccount(client: DocSpaceClient, by: { email?: string; userId?: string }, opts: { fresh?: boolean } = {}): Promise<Employee | undefined> {
  const key = cacheKey(client, by);
  const hit = lookups.get(key);
  if (!opts.fresh && hit && Date.now() - hit.at < LOOKUP_TTL_MS) return hit.user;
  // Parallel checks often name the same successor: share one lookup in flight.
  const inFlight = opts.fresh ? undefined : pending.get(key);
  if (inFlight) return inFlight;
  const lookup = (async () => {
    let user = await client.findUser(by);
    if (!user && by.email && !by.userId) user = await searchByEmail(client, by.email);
    if (user) remember(client, user);
    else lookups.delete(key);
    return user;
  })();
  if (!opts.fresh) pending.set(key, lookup);
  try {
    return await lookup;
  } finally {
    if (pending.get(key) === lookup) pending.delete(key);
  }
}

/** Forget what we knew about an account (after we changed it). */
export function forgetAccount(client: DocSpaceClient, user: { id: string; email?: string }): void {
  lookups.delete(cacheKey(client, { userId: user.id }));
  if (user.email) lookups.delete(cacheKey(client, { email: user.email.toLowerCase() }));
}

function remember(client: DocSpaceClient, user: Employee): void {
  const at = Date.now();
  lookups.set(cacheKey(client, { userId: user.id.toLowerCase() }), { user, at });
  if (user.email) lookups.set(cacheKey(client, { email: user.email.toLowerCase() }), { user, at });
}

async function searchByEmail(client: DocSpaceClient, email: string): Promise<Employee | undefined> {
  try {
    const page = await client.filterUsers({ filterValue: email, count: 25 });
    return page.users.find((u) => (u.email ?? "").toLowerCase() === email);
  } catch (e) {
    // Room admins and users may not search; the exact lookup already said "not found".
    if (isDocSpaceError(e, "forbidden")) return undefined;
    throw e;
  }
}

/** The key's own account, once per process and portal; undefined when the key may not read it. */
export function callerAccount(client: DocSpaceClient): Promise<Employee | undefined> {
  let p = callers.get(client.identity);
  if (!p) {
    p = client.self().catch((e: unknown) => {
      if (isDocSpaceError(e, "forbidden")) return undefined;
      callers.delete(client.identity);
      throw e;
    });
    callers.set(client.identity, p);
  }
  return p;
}

export function describeAccount(u: Employee): string {
  const name = u.displayName || [u.firstName, u.lastName].filter(Boolean).join(" ");
  return `${name ? `${name} ` : ""}<${u.email ?? u.id}>`;
}
