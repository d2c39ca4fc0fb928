// Package envoycheck is what meshward's Go test tools share (module meshward.local/envoy-tools,
// test/go): the registry of every Envoy type meshward sends (register.go) and the schema check of
// one decoded message, Envoy's protoc-gen-validate rules applied to it and to every message packed
// in an Any below it, with each violation on one line under its proto field path.
//
// cmd/envoy-validate checks documents and binary resources with Validate(m, Strict), then its own
// load-time semantics; cmd/ads-judge checks each resource of an ADS response with
// Validate(m, Envoy) before it ACKs or NACKs.
package envoycheck
