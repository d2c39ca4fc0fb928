// envoy-validate checks Envoy v3 JSON documents against Envoy's own API schema
// (go-control-plane: the generated protobuf types and their protoc-gen-validate rules).
//
// Batch mode (no arguments): reads a JSON array [{"name","kind","text"}] on stdin, where kind is
// "bootstrap", "sds" (a file-based SDS DiscoveryResponse), "any" (one binary xDS resource:
// {"type_url", "value": base64}, see resource.go) or "" (guess: "resources" ⇒ sds), and
// writes [{"name","ok","errors"}] on stdout. File mode: envoy-validate FILE... prints violations.
// Exit status: 0 all valid, 1 some invalid, 2 bad usage or input.
//
// The checks themselves (ValidateAll inside every Any, unknown fields, deprecations, and the
// load-time checks Envoy makes) are envoycheck's, shared with cmd/ads-judge and cmd/proxy-standin;
// this command adds the batch and file modes and the "any" kind (resource.go). Build: in test/go,
// go build ./cmd/envoy-validate (the tests do it through scripts/go-tool.ts).
package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
)

type inputDoc struct {
	Name string `json:"name"`
	Kind string `json:"kind"`
	Text string `json:"text"`
}

type result struct {
	Name   string   `json:"name"`
	OK     bool     `json:"ok"`
	Errors []string `json:"errors"`
}

func main() {
	docs, err := readDocs(os.Args[1:])
	if err != nil {
		fmt.Fprintln(os.Stderr, "envoy-validate:", err)
		os.Exit(2)
	}
	results := make([]result, 0, len(docs))
	allOK := true
	for _, d := range docs {
		errs := validateDocument(d.Kind, []byte(d.Text))
		if errs == nil {
			errs = []string{}
		}
		results = append(results, result{Name: d.Name, OK: len(errs) == 0, Errors: errs})
		allOK = allOK && len(errs) == 0
	}
	if len(os.Args) > 1 {
		for _, r := range results {
			for _, e := range r.Errors {
				fmt.Printf("%s: %s\n", r.Name, e)
			}
		}
	} else {
		enc := json.NewEncoder(os.Stdout)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(results); err != nil {
			fmt.Fprintln(os.Stderr, "envoy-validate:", err)
			os.Exit(2)
		}
	}
	if !allOK {
		os.Exit(1)
	}
}

func readDocs(files []string) ([]inputDoc, error) {
	if len(files) == 0 {
		raw, err := io.ReadAll(os.Stdin)
		if err != nil {
			return nil, err
		}
		var docs []inputDoc
		if err := json.Unmarshal(raw, &docs); err != nil {
			return nil, fmt.Errorf("stdin: want a JSON array of {name, kind, text}: %w", err)
		}
		return docs, nil
	}
	docs := make([]inputDoc, 0, len(files))
	for _, f := range files {
		text, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		docs = append(docs, inputDoc{Name: f, Text: string(text)})
	}
	return docs, nil
}
