import type { Removal } from "../offboarding/parse";

/** The logical name of an entry's resource: the account itself, so reordering or inserting entries changes nothing. */
export function logicalName(r: Pick<Removal, "email" | "id">): string {
  return r.email ?? r.id!;
}
