package main

// The JSON document kinds: a bootstrap, or a file-based SDS DiscoveryResponse (the "any" kind, one
// binary resource, is in resource.go). Each is decoded strictly into its generated type, held to
// Envoy's schema (envoycheck, Strict) and to the load-time checks of semantics.go.

import (
	"encoding/json"
	"fmt"

	bootstrapv3 "github.com/envoyproxy/go-control-plane/envoy/config/bootstrap/v3"
	discoveryv3 "github.com/envoyproxy/go-control-plane/envoy/service/discovery/v3"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	"meshward.local/envoy-tools/envoycheck"
)

const secretType = "type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret"

// Strict: an unknown field or an unregistered "@type" is an error, as it is for Envoy.
var strict = protojson.UnmarshalOptions{DiscardUnknown: false}

// validateDocument returns every violation found in one JSON document (none = valid).
func validateDocument(kind string, text []byte) []string {
	if kind == "" {
		kind = guessKind(text)
	}
	var msg proto.Message
	switch kind {
	case "any":
		return validateResource(text)
	case "bootstrap":
		msg = &bootstrapv3.Bootstrap{}
	case "sds":
		msg = &discoveryv3.DiscoveryResponse{}
	default:
		return []string{fmt.Sprintf("unknown document kind %q (want bootstrap, sds or any)", kind)}
	}
	if err := strict.Unmarshal(text, msg); err != nil {
		return []string{"decode: " + err.Error()}
	}
	errs, seen := envoycheck.Validate(msg, envoycheck.Strict)
	switch m := msg.(type) {
	case *bootstrapv3.Bootstrap:
		errs = append(errs, bootstrapSemantics(m, seen)...)
	case *discoveryv3.DiscoveryResponse:
		errs = append(errs, sdsSemantics(m)...)
	}
	return errs
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
