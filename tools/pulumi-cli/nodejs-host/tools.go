//go:build tools

// Package tools pins the Node.js language host that build.sh compiles.
//
// The language host of the CLI's own release lives in its own module,
// github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3, which the
// Go module proxy reachable from this project's machines refuses at every
// version ("403 Forbidden: This module version is not available"). The newest
// host it serves is the one that was still a package of sdk/v3 (v3.68.0; from
// v3.90.0 on the package is gone from sdk/v3). It needs sdk/v3 at that
// version, which is why it is a module of its own, next to the CLI's.
package tools

import (
	_ "github.com/pulumi/pulumi/sdk/v3/nodejs/cmd/pulumi-language-nodejs"
)
