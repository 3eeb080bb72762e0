/**
 * What the report reads from the portal: the key's own account and, page by page with DocSpace's
 * own filters, the disabled accounts, the invitations and the active accounts whose email was
 * never confirmed. GET requests only.
 *
 * How DocSpace marks these (checked against its server source, ONLYOFFICE/DocSpace-server):
 * - Disabled: `status` 2 (EmployeeStatus.Terminated). `people/filter?employeeStatus=2` lists them,
 *   but only to a DocSpace admin or the owner: for anyone else the server answers an empty list,
 *   so the key is checked first (a non-admin's report would silently say "nothing to suggest").
 *   `terminated` is written only by some routes (`PUT people/{id}` with disable, soft deletion),
 *   never by `PUT people/status` (the web UI's route and this package's), and never cleared: most
 *   disabled accounts have none, and one that is there may be from an earlier disable.
 * - Invitation: status 4 (Pending) with `activationStatus` 2 (UserManagerWrapper
 *   AddInvitedUserAsync, since DocSpace 2.6). `people/filter?employeeStatus=4` lists them.
 * - Active with the email never confirmed: status 1 with `activationStatus` 2, an account created
 *   by an admin, imported or migrated (or invited before 2.6): a live account, not an invitation.
 *   `people/filter?employeeStatus=1&activationStatus=2` lists them.
 * - "Invitation sent": DocSpace keeps no invitation date. `registrationDate` (UserInfo.CreateDate,
 *   sent to every viewer) is the profile's creation, which the invitation makes.
 */
import type { DocSpaceClient, FilterQuery } from "../docspace/client";
import { boundLine, DocSpaceError, isDocSpaceError } from "../docspace/errors";
import { ACTIVATION_PENDING } from "../docspace/impact-reads";
import { EmployeeStatus, type Employee } from "../docspace/schemas";

/** DocSpace's largest page: people/filter takes a count of 1 to 100. */
export const PAGE_SIZE = 100;

export type ReadPhase = "disabled" | "invited" | "unconfirmed";

export interface ReadProgress {
  phase: ReadPhase;
  read: number;
  total: number;
}

export interface PortalAccounts {
  self: Employee;
  disabled: Employee[];
  invited: Employee[];
  unconfirmed: Employee[];
  /** Requests made (for the summary). */
  requests: number;
}

export const QUERIES: Record<ReadPhase, Omit<FilterQuery, "startIndex" | "count">> = {
  disabled: { employeeStatus: EmployeeStatus.Terminated },
  invited: { employeeStatus: EmployeeStatus.Pending },
  unconfirmed: { employeeStatus: EmployeeStatus.Active, activationStatus: ACTIVATION_PENDING },
};

export async function readPortalAccounts(client: DocSpaceClient, onProgress: (p: ReadProgress) => void = () => {}): Promise<PortalAccounts> {
  let requests = 0;
  let self: Employee;
  try {
    requests++;
    self = await client.self();
  } catch (e) {
    if (isDocSpaceError(e, "forbidden")) {
      throw new DocSpaceError(
        "forbidden",
        "The API key may not read its own account (GET people/@self answered 403). The report needs it, to leave the key's own account out and to check that the key is the owner's or a DocSpace admin's. Give the key all permissions, or add accounts.self:read to it, and set it in DOCSPACE_API_KEY.",
        { operation: e.operation, httpStatus: e.httpStatus },
      );
    }
    throw e;
  }
  if (self.isOwner !== true && self.isAdmin !== true) {
    throw new DocSpaceError(
      "forbidden",
      `The API key belongs to ${boundLine(self.email ?? self.id, 200)}, who is not the portal owner or a DocSpace admin. DocSpace shows disabled accounts only to them, so this report would be empty. Create a key as the owner or a DocSpace admin (Developer Tools > API keys) and set it in DOCSPACE_API_KEY.`,
    );
  }

  const readAll = async (phase: ReadPhase): Promise<Employee[]> => {
    const out: Employee[] = [];
    const seen = new Set<string>();
    let total = 0;
    // A portal that kept answering full pages would loop forever; DocSpace's total bounds it.
    for (let start = 0, pages = 0; ; pages++) {
      requests++;
      const page = await client.filterUsers({ ...QUERIES[phase], count: PAGE_SIZE, startIndex: start });
      total = page.total;
      for (const u of page.users) {
        if (seen.has(u.id.toLowerCase())) continue;
        seen.add(u.id.toLowerCase());
        out.push(u);
      }
      onProgress({ phase, read: out.length, total });
      start += page.users.length;
      if (page.users.length < PAGE_SIZE || start >= total || pages > total / PAGE_SIZE + 1) return out;
    }
  };

  const disabled = await readAll("disabled");
  const invited = await readAll("invited");
  const unconfirmed = await readAll("unconfirmed");
  return { self, disabled, invited, unconfirmed, requests };
}
