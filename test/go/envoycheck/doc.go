// Package envoycheck is what meshward's Go test tools share (module meshward.local/envoy-tools,
// test/go): the registry of every Envoy type meshward sends (register.go), the schema check of
// one decoded message, Envoy's protoc-gen-validate rules applied to it and to every message packed
// in an Any below it, with each violation on one line under its proto field path (validate.go),
// and the load-time checks Envoy makes beyond the schema (semantics.go, listeners.go; documents:
// document.go).
//
// cmd/envoy-validate checks documents (CheckDocument) and binary resources with Validate(m, Strict)
// and ResourceSemantics; cmd/ads-judge checks each resource of an ADS response with
// Validate(m, Envoy) before it ACKs or NACKs; cmd/proxy-standin decodes its bootstrap with
// CheckDocument and holds each resource to Validate(m, Envoy) and ResourceSemantics.
package envoycheck
