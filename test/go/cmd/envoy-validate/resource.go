package main

// The "any" document kind: one xDS resource as the control plane sends it, a type URL and the
// message's protobuf bytes ({"type_url": "...", "value": "<base64>"}). The bytes are decoded into
// the registered go-control-plane type for that URL, so it is Envoy's own schema, not our encoder,
// that says what each field number means.

import (
	"encoding/base64"
	"encoding/json"
	"fmt"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoregistry"

	"meshward.local/envoy-tools/envoycheck"
)

func validateResource(text []byte) []string {
	var doc struct {
		TypeURL string `json:"type_url"`
		Value   string `json:"value"`
	}
	if err := json.Unmarshal(text, &doc); err != nil {
		return []string{"decode: want {\"type_url\", \"value\": base64}: " + err.Error()}
	}
	raw, err := base64.StdEncoding.DecodeString(doc.Value)
	if err != nil {
		return []string{"decode: value is not base64: " + err.Error()}
	}
	mt, err := protoregistry.GlobalTypes.FindMessageByURL(doc.TypeURL)
	if err != nil {
		return []string{fmt.Sprintf("decode: type %q: %v", doc.TypeURL, err)}
	}
	msg := mt.New().Interface()
	// Unknown fields are kept (not discarded) so Validate can report them.
	if err := proto.Unmarshal(raw, msg); err != nil {
		return []string{fmt.Sprintf("decode: %s: %v", doc.TypeURL, err)}
	}
	errs, seen := envoycheck.Validate(msg, envoycheck.Strict)
	return append(errs, envoycheck.ResourceSemantics(msg, seen)...)
}
