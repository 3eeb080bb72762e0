// After an incremental build (`tsc -b`): removes build outputs whose source is gone (a moved or
// deleted .ts file), so that no stale module can answer for a moved one. Plain JS: it runs on
// the build's own output folder, before anything else is built.
import { existsSync, readdirSync, rmSync } from "node:fs";
import { join, relative } from "node:path";

const root = join(import.meta.dirname ?? new URL(".", import.meta.url).pathname, "..");
const dist = join(root, "dist");

function walk(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      walk(path);
      if (readdirSync(path).length === 0) rmSync(path, { recursive: true });
      continue;
    }
    const rel = relative(dist, path);
    if (rel.endsWith(".tsbuildinfo")) continue;
    const source = rel.endsWith(".json") ? rel : rel.replace(/(\.d\.ts|\.js\.map|\.d\.ts\.map|\.js)$/, ".ts");
    if (!existsSync(join(root, source))) rmSync(path);
  }
}

if (existsSync(dist)) walk(dist);
