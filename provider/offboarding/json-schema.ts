/** The editor JSON Schema, generated from the zod schema so the two cannot disagree. */
import { z } from "zod";
import { offboardingFileSchema } from "./schema";

export function offboardingJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(offboardingFileSchema, { io: "input", unrepresentable: "any" }) as Record<string, unknown>;
  return { ...schema, $id: "https://github.com/pulumi-docspace/pulumi-docspace/offboarding.schema.json", title: "pulumi-docspace offboarding file" };
}
