package main

// The document kinds: a bootstrap or a file-based SDS DiscoveryResponse (envoycheck.CheckDocument:
// strict decoding, Envoy's schema, load-time checks), or "any", one binary resource (resource.go).

import (
	"encoding/json"
	"fmt"

	"meshward.local/envoy-tools/envoycheck"
)

// validateDocument returns every violation found in one JSON document (none = valid).
func validateDocument(kind string, text []byte) []string {
	if kind == "" {
		kind = guessKind(text)
	}
	switch kind {
	case "any":
		return validateResource(text)
	case "bootstrap", "sds":
		_, errs := envoycheck.CheckDocument(kind, text)
		return errs
	default:
		return []string{fmt.Sprintf("unknown document kind %q (want bootstrap, sds or any)", kind)}
	}
}

func guessKind(text []byte) string {
	var top map[string]json.RawMessage
	if json.Unmarshal(text, &top) == nil {
		if _, ok := top["resources"]; ok {
			return "sds"
		}
	}
	return "bootstrap"
}
