//go:build tools

// Package tools pins the Pulumi CLI that build.sh compiles, at the release of
// the @pulumi/pulumi npm SDK this project uses. pkg/v3 and sdk/v3 are required
// at the same release. The Node.js language host is pinned next door, in
// nodejs-host/ (see the comment in nodejs-host/tools.go for why).
package tools

import (
	_ "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi"
	// The package whose Version variable build.sh sets; keeps sdk/v3 a direct
	// requirement at the same release as pkg/v3.
	_ "github.com/pulumi/pulumi/sdk/v3/go/common/version"
)
