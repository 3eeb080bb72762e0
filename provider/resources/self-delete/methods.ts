/**
 * SelfDeleteRequest's provider methods, loaded by package name inside the provider host.
 * Keep these exported names and signatures stable: old state runs them.
 */
import type * as dynamic from "@pulumi/pulumi/dynamic";
import { randomUUID } from "node:crypto";
import { z } from "zod";
import { boundText, DocSpaceError, isDocSpaceError, refusedBeforeActing } from "../../docspace/errors";
import type { Employee } from "../../docspace/schemas";
import { hostContext, providerMethods, type HostContext, type KindMethods, type ProviderMethods } from "../host/context";
import { describeAccount, keyAccount } from "../../docspace/account-reads";
import { containsUnknown, inputFailures, portalFailure, UNKNOWN, withoutProvider, withoutUndefined, type Props } from "../step/pulumi-props";

const inputsSchema = z.object({ trigger: z.string().max(200, "must be at most 200 characters").optional() });

export const selfDeleteStateSchema = z.object({
  userId: z.string(),
  email: z.string(),
  sentAt: z.string(),
  message: z.string(),
  trigger: z.string().optional(),
  /** "Sent", or "Unconfirmed" when the answer was lost: it may have been sent, so it is not sent again. */
  status: z.enum(["Sent", "Unconfirmed"]).optional(),
});
export type SelfDeleteState = z.infer<typeof selfDeleteStateSchema>;

function refusal(caller: Employee | undefined): string | undefined {
  if (!caller) return undefined;
  if (caller.isOwner) return `The API key belongs to the portal owner ${describeAccount(caller)}; DocSpace does not let the owner delete their own profile (transfer ownership first). Use the key of the account that should receive the instructions.`;
  if (caller.isLDAP) return `The API key belongs to ${describeAccount(caller)}, an LDAP account; DocSpace does not send deletion instructions to LDAP accounts. Ask an admin to remove it.`;
  return undefined;
}

/**
 * Only a request that would be sent now asks the portal who the key belongs to. Once sent, the
 * person may follow the link and their key stops working: later previews must not depend on it.
 */
async function checkIn(ctx: HostContext, olds: Props | undefined, news: Props): Promise<dynamic.CheckResult> {
  const raw = withoutProvider(news);
  if (containsUnknown(raw)) return { inputs: news };
  const parsed = inputsSchema.safeParse(raw);
  if (!parsed.success) return { inputs: news, failures: inputFailures(parsed.error) };
  const previous = withoutProvider(olds ?? {});
  if (Object.keys(previous).length > 0 && (previous.trigger ?? "") === (parsed.data.trigger ?? "")) return { inputs: news };
  let caller: Employee | undefined;
  try {
    caller = await keyAccount(ctx.settings.portalClient());
  } catch (e) {
    return { inputs: news, failures: [portalFailure(e, "")] };
  }
  if (!caller) {
    return {
      inputs: news,
      failures: [{ property: "", reason: "The API key may not read its own account (DocSpace refused GET people/@self), so nothing can tell whose address the instructions would go to. Use a key with all permissions, or with accounts.self:read (to read its own account) and accounts:write (which PUT people/self/delete needs)." }],
    };
  }
  const reason = refusal(caller);
  if (reason) return { inputs: news, failures: [{ property: "trigger", reason }] };
  return { inputs: news };
}

/**
 * Sends the instructions exactly once: only a 429 (which DocSpace answers before doing anything)
 * is retried. A lost answer is recorded as "Unconfirmed" (a partial create): it may have been
 * sent, so it is not sent again unless the trigger changes.
 */
async function createIn(ctx: HostContext, props: Props): Promise<dynamic.CreateResult> {
  const inputs = inputsSchema.parse(withoutProvider(props));
  const client = ctx.settings.portalClient();
  const caller = await keyAccount(client);
  if (!caller) throw new DocSpaceError("forbidden", "The API key may not read its own account (GET people/@self was refused); nothing was sent. Use a key with all permissions, or with accounts.self:read (to read its own account) and accounts:write (which PUT people/self/delete needs).");
  const refused = refusal(caller);
  if (refused) throw new DocSpaceError("forbidden", refused);
  const id = `self-delete-${randomUUID()}`;
  let html: string;
  try {
    html = await client.sendSelfDeleteInstructions();
  } catch (e) {
    if (!refusedBeforeActing(e)) {
      const state: SelfDeleteState = { userId: caller.id, email: caller.email ?? "", sentAt: new Date().toISOString(), message: "", trigger: inputs.trigger, status: "Unconfirmed" };
      const message =
        `The answer to the request for deletion instructions was lost (${boundText(e instanceof Error ? e.message : String(e))}). DocSpace may have sent them, so this is recorded as "Unconfirmed" and will not be sent again. ` +
        `If no email arrives, change the trigger to send them again.`;
      throw Object.assign(new Error(message), { id, properties: { ...withoutUndefined(state), __provider: props.__provider }, reasons: [message] });
    }
    if (isDocSpaceError(e, "forbidden") && e.serverMessage) {
      throw new DocSpaceError("forbidden", `DocSpace refused to send deletion instructions (HTTP 403 "${e.serverMessage}"): the portal owner and LDAP accounts cannot do this. Use the key of the account that should receive them.`, e);
    }
    if (isDocSpaceError(e, "forbidden")) {
      throw new DocSpaceError("forbidden", "DocSpace refused to send deletion instructions (HTTP 403 with an empty body): the API key lacks the permission for it. Use a key of this account with all permissions or accounts:write.", e);
    }
    throw e;
  }
  const message = boundText(stripHtml(html));
  const state: SelfDeleteState = { userId: caller.id, email: caller.email ?? "", sentAt: new Date().toISOString(), message, trigger: inputs.trigger, status: "Sent" };
  return { id, outs: withoutUndefined(state) };
}

/** The engine resumes a partial ("Unconfirmed") record through update: it is kept, never sent again. */
async function updateIn(_ctx: HostContext, _id: string, olds: Props, news: Props): Promise<dynamic.UpdateResult> {
  const inputs = inputsSchema.parse(withoutProvider(news));
  return { outs: withoutUndefined({ ...withoutProvider(olds), trigger: inputs.trigger }) };
}

/** A new trigger sends the instructions again (a replacement); nothing else changes anything. */
async function diffIn(_ctx: HostContext, _id: string, olds: Props, news: Props): Promise<dynamic.DiffResult> {
  const trigger = withoutProvider(news).trigger;
  if (trigger === UNKNOWN) return { changes: true, replaces: ["trigger"] };
  if ((trigger ?? "") !== (olds.trigger ?? "")) return { changes: true, replaces: ["trigger"], deleteBeforeReplace: true };
  return { changes: false };
}

async function readIn(_ctx: HostContext, id: string, props: Props): Promise<dynamic.ReadResult> {
  return { id, props: withoutProvider(props) };
}

/** An email cannot be unsent: deleting the resource touches nothing. */
export async function remove(): Promise<void> {
  return;
}

// ---- the provider methods ------------------------------------------------------------------

const SELF_DELETE: KindMethods = { check: checkIn, diff: diffIn, create: createIn, read: readIn, update: updateIn, delete: remove };

/** SelfDeleteRequest's provider methods, acting in one host's context. */
export const selfDeleteMethods = (ctx: HostContext): ProviderMethods => providerMethods(SELF_DELETE, () => ctx);

// The names state written by earlier versions calls: each acts in this host's context.
export const { configure, check, diff, create, read, update } = providerMethods(SELF_DELETE, hostContext);

export function stripHtml(html: string): string {
  return html.replace(/<[^>]*>/g, "").replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, "&").trim();
}
