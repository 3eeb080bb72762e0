/**
 * `npm run simulator`: starts the DocSpace simulator on loopback and prints its URL and seeded keys.
 * Options: --port N, --latency MS, --task-ms MS, --no-rate-limit.
 */
import { DocSpaceSimulator, defaultSeed } from "./server";

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<void> {
  const seed = defaultSeed();
  const sim = new DocSpaceSimulator({
    seed,
    latencyMs: Number(arg("latency") ?? 0),
    taskDurationMs: arg("task-ms") ? Number(arg("task-ms")) : [2000, 5000],
    rateLimits: process.argv.includes("--no-rate-limit") ? false : undefined,
  });
  const url = await sim.start(Number(arg("port") ?? 0));
  console.log(`DocSpace simulator listening on ${url}`);
  console.log("Seeded API keys (simulator only; they act as their user):");
  for (const u of seed.users) {
    for (const k of u.apiKeys ?? []) {
      const perms = k.permissions.length === 0 ? "all" : k.permissions.join(",");
      console.log(`  ${u.type.padEnd(13)} ${u.email.padEnd(28)} ${k.key}  (${perms})`);
    }
  }
  console.log(`Try: DOCSPACE_URL=${url} DOCSPACE_API_KEY=<owner key> pulumi preview`);
  console.log("Press Ctrl+C to stop.");
  const stop = (): void => void sim.stop().then(() => process.exit(0));
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

void main();
