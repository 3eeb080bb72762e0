/** Writes offboarding.schema.json from the zod schema (`npm run schema`). */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { offboardingJsonSchema } from "../provider/offboarding/json-schema";

const target = join(__dirname, "..", "..", "offboarding.schema.json");
writeFileSync(target, JSON.stringify(offboardingJsonSchema(), null, 2) + "\n");
console.log(`wrote ${target}`);
