#!/usr/bin/env bash
# Builds the Pulumi CLI and its Node.js language host from their Go modules, once,
# into a cache outside the repository, and writes the dynamic-provider launcher
# beside them. Two ends of the supported range, one wrapper module each:
#
#   bash tools/pulumi-cli/build.sh          (or: npm run cli)  the oldest end: go.mod beside this script
#   bash tools/pulumi-cli/build.sh latest   the newest end: latest/go.mod (used by tools/e2e-latest.sh)
#
# Both ends get the language host pinned in nodejs-host/go.mod (the newest one the
# Go module proxy serves; see nodejs-host/tools.go), built once and copied into each.
#
# Progress goes to stderr. The last line of stdout is the absolute folder to put
# on PATH, e.g.:  export PATH="$(npm run -s cli | tail -n1):$PATH"
# Cache root: $PULUMI_DOCSPACE_CLI_CACHE (default ~/.cache/pulumi-docspace/cli).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
say() { printf 'pulumi-cli: %s\n' "$*" >&2; }

command -v go >/dev/null || { say "go is not on PATH"; exit 1; }

case "${1:-oldest}" in
oldest) mod="$here" ;;
latest) mod="$here/latest" ;;
*) say "unknown end '$1' (oldest or latest)"; exit 2 ;;
esac

modver() { # modver <go.mod> <module path>  -> the version required there
	awk -v m="$2" '($1 == m) || ($1 == "require" && $2 == m) { v = ($1 == m) ? $2 : $3 } END { print v }' "$1"
}
cli_version="$(modver "$mod/go.mod" github.com/pulumi/pulumi/pkg/v3)"
sdk_version="$(modver "$mod/go.mod" github.com/pulumi/pulumi/sdk/v3)"
host_version="$(modver "$here/nodejs-host/go.mod" github.com/pulumi/pulumi/sdk/v3)"
if [[ -z "$cli_version" || "$cli_version" != "$sdk_version" ]]; then
	say "go.mod must require pkg/v3 and sdk/v3 at the same release (pkg=$cli_version sdk=$sdk_version)"
	exit 1
fi

hash="$(cat "$mod/go.mod" "$mod/go.sum" "$here/nodejs-host/go.mod" "$here/nodejs-host/go.sum" |
	sha256sum | cut -c1-12)"
host_hash="$(cat "$here/nodejs-host/go.mod" "$here/nodejs-host/go.sum" | sha256sum | cut -c1-12)"
cache_root="${PULUMI_DOCSPACE_CLI_CACHE:-$HOME/.cache/pulumi-docspace/cli}"
mkdir -p "$cache_root"
cache_root="$(cd "$cache_root" && pwd)"
dir="$cache_root/$cli_version-$hash"
bin="$dir/bin"
host_dir="$cache_root/pulumi-language-nodejs-$host_version-$host_hash"

# The plugin the engine starts for dynamic resources of Node.js programs. Like
# the script in Pulumi's release archives, it runs the provider host of the
# @pulumi/pulumi that resolves from the working directory (the program's).
write_launcher() {
	local target="$1/pulumi-resource-pulumi-nodejs"
	cat >"$target.tmp" <<'LAUNCHER'
#!/bin/sh
# Pulumi's dynamic-provider plugin for Node.js (written by pulumi-docspace's tools/pulumi-cli/build.sh):
# runs the provider host of the @pulumi/pulumi that resolves from the working directory.
script=$(node -e "process.stdout.write(require.resolve('@pulumi/pulumi/cmd/dynamic-provider'))") || exit 1
exec node "$script" "$@"
LAUNCHER
	chmod 755 "$target.tmp"
	mv -f "$target.tmp" "$target"
}

is_built() {
	[[ -x "$1/pulumi" && -x "$1/pulumi-language-nodejs" ]] &&
		[[ "$(PULUMI_SKIP_UPDATE_CHECK=true "$1/pulumi" version 2>/dev/null)" == "$cli_version" ]]
}

if is_built "$bin"; then
	say "cached: pulumi $cli_version (language host $host_version) in $bin"
else
	say "building pulumi $cli_version and pulumi-language-nodejs $host_version into $bin"
	say "(the first build downloads a few hundred MB of modules and compiles for several minutes)"
	mkdir -p "$dir"
	tmp="$(mktemp -d "$dir/bin.tmp.XXXXXX")"
	chmod 755 "$tmp"
	trap 'rm -rf "$tmp"' EXIT
	version_pkg=github.com/pulumi/pulumi/sdk/v3/go/common/version
	export CGO_ENABLED=0 # as Pulumi's release binaries; needs no C compiler
	start=$SECONDS
	(cd "$mod" && go build -trimpath -ldflags "-X $version_pkg.Version=$cli_version" \
		-o "$tmp/" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi)
	say "built pulumi $cli_version in $((SECONDS - start))s"
	if [[ ! -x "$host_dir/pulumi-language-nodejs" ]]; then
		start=$SECONDS
		mkdir -p "$host_dir"
		(cd "$here/nodejs-host" && go build -trimpath -ldflags "-X $version_pkg.Version=$host_version" \
			-o "$host_dir/pulumi-language-nodejs.tmp" github.com/pulumi/pulumi/sdk/v3/nodejs/cmd/pulumi-language-nodejs)
		mv -f "$host_dir/pulumi-language-nodejs.tmp" "$host_dir/pulumi-language-nodejs"
		say "built pulumi-language-nodejs $host_version in $((SECONDS - start))s"
	fi
	cp "$host_dir/pulumi-language-nodejs" "$tmp/"
	is_built "$tmp" || { say "the built pulumi does not report version $cli_version"; exit 1; }
	rm -rf "$bin"
	mv "$tmp" "$bin"
	trap - EXIT
fi

write_launcher "$bin"
say "put it on PATH: export PATH=\"$bin:\$PATH\""
printf '%s\n' "$bin"
