/**
 * What the last `pulumi up` of this stack recorded about each entry (its `accounts` output), read
 * through a reference to the stack itself. The program uses it only to say, in the preview, which
 * disabled accounts this stack would re-enable and which stay disabled: never to decide anything
 * (the resources decide from their own state and the portal).
 */
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";

const previousAccountSchema = z.looseObject({
  action: z.string().optional().catch(undefined),
  status: z.string().optional().catch(undefined),
  disabledByStack: z.boolean().optional().catch(undefined),
  removalDue: z.boolean().optional().catch(undefined),
});
const previousAccountsSchema = z.record(z.string(), previousAccountSchema);
export type PreviousAccount = z.infer<typeof previousAccountSchema>;

/** The last run's `accounts`, or an empty record (a first run, or a backend that will not say). */
export async function previousAccounts(): Promise<Record<string, PreviousAccount>> {
  try {
    const self = new pulumi.StackReference(`${pulumi.getOrganization()}/${pulumi.getProject()}/${pulumi.getStack()}`);
    const details = await self.getOutputDetails("accounts");
    const parsed = previousAccountsSchema.safeParse(details.value ?? {});
    return parsed.success ? parsed.data : {};
  } catch {
    return {};
  }
}
