#!/usr/bin/env bash
# npm run e2e:latest: the end-to-end cases (test/e2e-*.test.ts, the real Pulumi CLI against the
# simulator) on the NEWEST end of the supported toolchain range:
#   - Node 24, from the npm registry's `node` package (tools/node.sh, cached under ~/.cache);
#   - @pulumi/pulumi at its newest release on npm ($PULUMI_DOCSPACE_LATEST_SDK overrides), installed
#     into a throwaway copy of the repository for this run only: the committed package.json and
#     package-lock.json keep the oldest end (3.248.0), which `npm test` runs;
#   - the Pulumi CLI pinned in tools/pulumi-cli/latest/go.mod, built from its Go modules once and
#     cached under ~/.cache like the oldest end's (tools/pulumi-cli/build.sh latest).
# The copy is built and type-checked (source and tests) against the newest SDK first. Fails unless
# at least 10 cases pass and none is skipped or failed, and if any process the run started is
# still alive afterwards (every test must end what it starts).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
say() { printf 'e2e-latest: %s\n' "$*" >&2; }
start=$SECONDS

node_bin="$(bash "$root/tools/node.sh" 24 | tail -n 1)"
cli_bin="$(bash "$root/tools/pulumi-cli/build.sh" latest | tail -n 1)"
export PATH="$node_bin:$cli_bin:$PATH"
export PULUMI_SKIP_UPDATE_CHECK=true
cli_version="$(pulumi version)"
sdk_version="${PULUMI_DOCSPACE_LATEST_SDK:-$(npm view @pulumi/pulumi@latest version)}"
say "node $(node --version), @pulumi/pulumi $sdk_version, pulumi CLI $cli_version ($(command -v pulumi))"
if [[ "v$sdk_version" != "$cli_version" ]]; then
	say "WARNING: the newest @pulumi/pulumi ($sdk_version) is not the CLI's release ($cli_version):"
	say "WARNING: move tools/pulumi-cli/latest/go.mod to v$sdk_version (go get ...@v$sdk_version; go mod tidy)"
fi

# $work/repo: the copy; $work/tmp: the tests' own temporary projects and backends (TMPDIR), so
# that whatever the tests start is found below $work afterwards.
work="$(mktemp -d "${TMPDIR:-/tmp}/docspace-e2e-latest.XXXXXX")"
cleanup() { rm -rf "$work"; }
trap cleanup EXIT
mkdir "$work/repo" "$work/tmp"
# The working tree as it is (a fresh clone in CI), without what the copy builds and installs itself.
tar -C "$root" --exclude=./node_modules --exclude=./.git --exclude=./dist --exclude=./.demo -cf - . | tar -C "$work/repo" -xf -
cd "$work/repo"
# The copy's devDependency only; the rest of the tree stays as the lockfile has it.
node -e '
  const fs = require("fs");
  const m = JSON.parse(fs.readFileSync("package.json", "utf8"));
  m.devDependencies["@pulumi/pulumi"] = process.argv[1];
  fs.writeFileSync("package.json", JSON.stringify(m, null, 2) + "\n");
' "$sdk_version"
npm install --no-audit --no-fund
installed="$(node -p 'require("@pulumi/pulumi/package.json").version')"
[[ "$installed" == "$sdk_version" ]] || { say "installed @pulumi/pulumi $installed, not $sdk_version"; exit 1; }

say "build and type-check against @pulumi/pulumi $installed"
npm run -s build
node_modules/.bin/tsc -p test/tsconfig.json

say "end-to-end cases"
e2e_start=$SECONDS
status=0
TMPDIR="$work/tmp" PULUMI_DOCSPACE_E2E=required node_modules/.bin/vitest run test/e2e-*.test.ts 2>&1 | tee "$work/e2e.log" || status=$?
e2e_secs=$((SECONDS - e2e_start))
cd "$root"

# Anything still running in or from the copy (a provider host, a language host, a program) was left behind by a test.
left=()
for p in /proc/[0-9]*; do
	cmd="$(tr '\0' ' ' <"$p/cmdline" 2>/dev/null || true)"
	cwd="$(readlink "$p/cwd" 2>/dev/null || true)"
	if [[ "$cmd" == *"$work"* || "$cwd" == "$work" || "$cwd" == "$work/"* ]] && [[ "${p#/proc/}" != "$$" ]]; then
		left+=("${p#/proc/}: $cmd")
	fi
done
if ((${#left[@]})); then
	say "processes left running by the tests:"
	printf '  %s\n' "${left[@]}" >&2
	for l in "${left[@]}"; do kill -KILL "${l%%:*}" 2>/dev/null || true; done
	status=1
fi

summary="$(grep -E '^[0-9]+ passed, [0-9]+ failed, [0-9]+ skipped$' "$work/e2e.log" | tail -n 1 || true)"
read -r passed _ failed _ skipped _ <<<"$summary"
say "newest end: node $(node --version), @pulumi/pulumi $installed, pulumi CLI $cli_version: ${summary:-no summary}" \
	"(tests ${e2e_secs}s, whole run $((SECONDS - start))s)"
if [[ -z "$summary" ]] || ((passed < 10 || failed > 0 || skipped > 0)); then
	say "FAILED: at least 10 cases must pass, none fail or be skipped"
	status=1
fi
exit "$status"
