//go:build tools

// Package tools pins external-dns's command (the module root's main package); never compiled.
package tools

import _ "sigs.k8s.io/external-dns"
