//go:build tools

// Package tools pins the Pulumi CLI of the newest toolchain end (npm run e2e:latest): the
// release of the newest @pulumi/pulumi on npm. pkg/v3 and sdk/v3 are required at the same
// release. The oldest end's CLI is pinned one folder up; both use the Node.js language host
// pinned in ../nodejs-host (see the comment in ../nodejs-host/tools.go for why).
package tools

import (
	_ "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi"
	// The package whose Version variable build.sh sets; keeps sdk/v3 a direct
	// requirement at the same release as pkg/v3.
	_ "github.com/pulumi/pulumi/sdk/v3/go/common/version"
)
