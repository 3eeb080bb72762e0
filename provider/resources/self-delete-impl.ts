/**
 * SelfDeleteRequest's provider methods, loaded by package name inside the provider host.
 * Keep these exported names and signatures stable: old state runs them.
 */
import type * as dynamic from "@pulumi/pulumi/dynamic";
import { randomUUID } from "node:crypto";
import { z } from "zod";
import { DocSpaceError, isDocSpaceError } from "../docspace/errors";
import type { Employee } from "../docspace/schemas";
import { configureFromStack, portalClient } from "./credentials";
import { callerAccount, describeAccount } from "./accounts";
import { containsUnknown, inputFailures, portalFailure, UNKNOWN, withoutProvider, withoutUndefined, type Props } from "./props";

const inputsSchema = z.object({ trigger: z.string().max(200, "must be at most 200 characters").optional() });

export const selfDeleteStateSchema = z.object({
  userId: z.string(),
  email: z.string(),
  sentAt: z.string(),
  message: z.string(),
  trigger: z.string().optional(),
});
export type SelfDeleteState = z.infer<typeof selfDeleteStateSchema>;

export async function configure(req: dynamic.ConfigureRequest): Promise<void> {
  configureFromStack(req.config);
}

function refusal(caller: Employee | undefined): string | undefined {
  if (!caller) return undefined;
  if (caller.isOwner) return `The API key belongs to the portal owner ${describeAccount(caller)}; DocSpace does not let the owner delete their own profile (transfer ownership first). Use the key of the account that should receive the instructions.`;
  if (caller.isLDAP) return `The API key belongs to ${describeAccount(caller)}, an LDAP account; DocSpace does not send deletion instructions to LDAP accounts. Ask an admin to remove it.`;
  return undefined;
}

export async function check(_olds: Props | undefined, news: Props): Promise<dynamic.CheckResult> {
  const raw = withoutProvider(news);
  if (containsUnknown(raw)) return { inputs: news };
  const parsed = inputsSchema.safeParse(raw);
  if (!parsed.success) return { inputs: news, failures: inputFailures(parsed.error) };
  let caller: Employee | undefined;
  try {
    caller = await callerAccount(portalClient());
  } catch (e) {
    return { inputs: news, failures: [portalFailure(e, "")] };
  }
  const reason = refusal(caller);
  if (reason) return { inputs: news, failures: [{ property: "trigger", reason }] };
  return { inputs: news };
}

/** Sends the instructions exactly once: only a 429 (which DocSpace answers before doing anything) is retried. */
export async function create(props: Props): Promise<dynamic.CreateResult> {
  const inputs = inputsSchema.parse(withoutProvider(props));
  const client = portalClient();
  const caller = await callerAccount(client);
  const refused = refusal(caller);
  if (refused) throw new DocSpaceError("forbidden", refused);
  let html: string;
  try {
    html = await client.sendSelfDeleteInstructions();
  } catch (e) {
    if (isDocSpaceError(e, "forbidden") && e.serverMessage) {
      throw new DocSpaceError("forbidden", `DocSpace refused to send deletion instructions (HTTP 403 "${e.serverMessage}"): the portal owner and LDAP accounts cannot do this. Use the key of the account that should receive them.`, e);
    }
    if (isDocSpaceError(e, "forbidden")) {
      throw new DocSpaceError("forbidden", "DocSpace refused to send deletion instructions (HTTP 403 with an empty body): the API key lacks the permission for it. Use a key of this account with all permissions or accounts:write.", e);
    }
    throw e;
  }
  const message = stripHtml(html);
  const email = caller?.email ?? /<b>([^<]+)<\/b>/.exec(html)?.[1] ?? "";
  const state: SelfDeleteState = { userId: caller?.id ?? "", email, sentAt: new Date().toISOString(), message, trigger: inputs.trigger };
  return { id: `self-delete-${randomUUID()}`, outs: withoutUndefined(state) };
}

/** A new trigger sends the instructions again (a replacement); nothing else changes anything. */
export async function diff(_id: string, olds: Props, news: Props): Promise<dynamic.DiffResult> {
  const trigger = withoutProvider(news).trigger;
  if (trigger === UNKNOWN) return { changes: true, replaces: ["trigger"] };
  if ((trigger ?? "") !== (olds.trigger ?? "")) return { changes: true, replaces: ["trigger"], deleteBeforeReplace: true };
  return { changes: false };
}

export async function read(id: string, props: Props): Promise<dynamic.ReadResult> {
  return { id, props: withoutProvider(props) };
}

/** An email cannot be unsent: deleting the resource touches nothing. */
export async function remove(): Promise<void> {
  return;
}

export function stripHtml(html: string): string {
  return html.replace(/<[^>]*>/g, "").replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, "&").trim();
}
