package main

// The "any" document kind: one xDS resource as the control plane sends it, a type URL and the
// message's protobuf bytes ({"type_url": "...", "value": "<base64>"}). The bytes are decoded into
// the registered go-control-plane type for that URL, so it is Envoy's own schema, not our encoder,
// that says what each field number means.

import (
	"encoding/base64"
	"encoding/json"
	"fmt"

	clusterv3 "github.com/envoyproxy/go-control-plane/envoy/config/cluster/v3"
	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	listenerv3 "github.com/envoyproxy/go-control-plane/envoy/config/listener/v3"
	tlsv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/transport_sockets/tls/v3"
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
	return append(errs, resourceSemantics(msg, seen)...)
}

// resourceSemantics: the load-time checks of bootstrapSemantics that make sense for one resource
// on its own (cluster references are not: the cluster may come in another response).
func resourceSemantics(msg proto.Message, seen []envoycheck.Visited) []string {
	var errs []string
	named := func(name string) {
		if name == "" {
			errs = append(errs, "semantics: name: an xDS resource needs a name")
		}
	}
	switch m := msg.(type) {
	case *listenerv3.Listener:
		named(m.GetName())
		bound := map[string]bool{}
		for _, a := range listenerAddresses(m) {
			if key := socketKey(a); key != "" && bound[key] {
				errs = append(errs, fmt.Sprintf("semantics: address %s is listed twice", key))
			} else {
				bound[key] = true
			}
		}
		errs = append(errs, filterChainRules("", m)...)
	case *clusterv3.Cluster:
		named(m.GetName())
		errs = append(errs, clusterRules("", m)...)
	case *tlsv3.Secret:
		named(m.GetName())
	}
	return append(errs, regexRules(seen)...)
}

func listenerAddresses(l *listenerv3.Listener) []*corev3.Address {
	addrs := []*corev3.Address{l.GetAddress()}
	for _, extra := range l.GetAdditionalAddresses() {
		addrs = append(addrs, extra.GetAddress())
	}
	return addrs
}
