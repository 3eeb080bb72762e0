/**
 * Read-only checks run by `check` (so `pulumi preview` fails before anything is touched) and again
 * by `create`: every removal DocSpace would refuse, or that the entry did not ask for.
 * Nothing in this module writes to the portal.
 */
import type { DocSpaceClient } from "../docspace/client";
import { accountRefKind, employeeType, isActive, isDisabled, type Employee } from "../docspace/schemas";
import { callerAccount, describeAccount, findAccount } from "./accounts";
import { accountProperty, type UserRemovalInputs } from "./user-removal-model";

export interface PreflightFailure {
  property: string;
  reason: string;
}

export interface RemovalPlan {
  target: Employee;
  successor?: Employee;
  /** The key's own account, when the key may read it (a key scoped to accounts:* may not). */
  caller?: Employee;
}

/**
 * Decides whether this removal may go ahead. Returns the failures (for `check`) and, when there are
 * none, what will happen.
 */
export async function preflight(client: DocSpaceClient, inputs: UserRemovalInputs): Promise<{ failures: PreflightFailure[]; plan?: RemovalPlan }> {
  const failures: PreflightFailure[] = [];
  const prop = accountProperty(inputs);
  const named = inputs.email ?? inputs.userId ?? "";
  const [caller, target] = await Promise.all([callerAccount(client), findAccount(client, { email: inputs.email, userId: inputs.userId })]);

  if (caller && employeeType(caller) !== "DocSpaceAdmin") {
    failures.push({
      property: prop,
      reason: `The API key belongs to ${describeAccount(caller)}, a ${employeeType(caller)}; only the portal owner and DocSpace admins can remove accounts. Use a key created by the owner or a DocSpace admin.`,
    });
    return { failures };
  }
  if (!target) {
    failures.push({
      property: prop,
      reason: `No DocSpace account ${inputs.email ? "has the email" : "has the id"} ${named} at ${client.origin}. Fix the entry, or delete it if the account was already removed.`,
    });
  } else {
    const who = describeAccount(target);
    if (target.isOwner) {
      failures.push({ property: prop, reason: `${who} is the portal owner; DocSpace never removes the owner. Transfer portal ownership first, or delete this entry.` });
    } else if (caller && caller.id.toLowerCase() === target.id.toLowerCase()) {
      failures.push({ property: prop, reason: `${who} is the account the API key belongs to; an account cannot remove itself. Run this with another admin's key, or delete this entry.` });
    } else if (target.isAdmin && !inputs.allowAdmin) {
      failures.push({
        property: "allowAdmin",
        reason: `${who} is a DocSpace admin. Removing an admin must be asked for explicitly: add \`allowAdmin: true\` to the entry (and run with the portal owner's key).`,
      });
    } else if (target.isAdmin && caller && !caller.isOwner) {
      failures.push({
        property: "allowAdmin",
        reason: `${who} is a DocSpace admin, and only the portal owner can remove a DocSpace admin; the API key belongs to ${describeAccount(caller)}. Use a key created by the owner.`,
      });
    } else if (target.isLDAP && !isDisabled(target)) {
      failures.push({
        property: prop,
        reason: `${who} is an LDAP account and still active; DocSpace does not let the API disable LDAP accounts. Disable it in DocSpace or in the directory first, then run again.`,
      });
    }
  }

  let successor: Employee | undefined;
  if (inputs.transferTo !== undefined) {
    const ref = inputs.transferTo;
    const kind = accountRefKind(ref);
    successor = await findAccount(client, kind === "id" ? { userId: ref } : { email: ref });
    if (!successor) {
      failures.push({ property: "transferTo", reason: `The successor ${ref} is not a DocSpace account at ${client.origin}. Name an active room admin or DocSpace admin.` });
    } else if (target && successor.id.toLowerCase() === target.id.toLowerCase()) {
      failures.push({ property: "transferTo", reason: `transferTo names the account being removed (${describeAccount(target)}); name someone else to receive the data.` });
    } else if (!isActive(successor)) {
      failures.push({ property: "transferTo", reason: `The successor ${describeAccount(successor)} is not active (disabled or pending); DocSpace can only move data to an active room admin or DocSpace admin.` });
    } else if (!(successor.isOwner || successor.isAdmin || successor.isRoomAdmin)) {
      failures.push({
        property: "transferTo",
        reason: `The successor ${describeAccount(successor)} is a ${employeeType(successor)}; DocSpace can only move data to a room admin or DocSpace admin.`,
      });
    }
  }

  if (failures.length > 0 || !target) return { failures };
  return { failures, plan: { target, successor, caller } };
}
