//go:build tools

// Package tools pins the Helm CLI that scripts/ensure-helm.sh builds; the file is
// never compiled, it only makes `go mod tidy` record the CLI's dependencies.
package tools

import (
	_ "helm.sh/helm/v3/cmd/helm"
)
