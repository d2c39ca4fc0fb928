package adsclient

// What a client checks in a response: each resource decoded into its generated type and held to
// Envoy's schema (protoc-gen-validate, typed_configs included: envoycheck.Validate in its Envoy
// mode, which leaves out what Envoy only warns about; optionally the load-time checks Envoy makes,
// and the Strict findings as warnings); and the EDS names CDS implies.

import (
	"encoding/json"
	"fmt"
	"sort"

	clusterv3 "github.com/envoyproxy/go-control-plane/envoy/config/cluster/v3"
	endpointv3 "github.com/envoyproxy/go-control-plane/envoy/config/endpoint/v3"
	listenerv3 "github.com/envoyproxy/go-control-plane/envoy/config/listener/v3"
	tlsv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/transport_sockets/tls/v3"
	discoveryv3 "github.com/envoyproxy/go-control-plane/envoy/service/discovery/v3"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/types/known/anypb"

	"meshward.local/envoy-tools/envoycheck"
)

// ResourceResult is one resource of a response as the client saw it.
type ResourceResult struct {
	Name   string          `json:"name"`
	OK     bool            `json:"ok"`
	Errors []string        `json:"errors"`
	JSON   json.RawMessage `json:"json,omitempty"`
	// Warnings: what only envoycheck.Strict reports (Envoy accepts it, at most with a warning).
	Warnings []string `json:"-"`
	// Msg is the decoded resource (nil when it did not decode).
	Msg proto.Message `json:"-"`
}

// CheckOptions say how much Check does beyond Envoy's schema.
type CheckOptions struct {
	Dump      bool // fill JSON with the resource as protojson
	Semantics bool // Envoy's load-time checks (envoycheck.ResourceSemantics) are errors too
	Warnings  bool // fill Warnings
}

var dumpJSON = protojson.MarshalOptions{Resolver: protoregistry.GlobalTypes}

// Check decodes every resource into its generated type and validates it the way Envoy
// does before accepting an update: the type must match the response's, protoc-gen-validate rules
// hold (including inside every typed_config, which ValidateAll does not descend into), and names
// are unique. Envoy rejects a state-of-the-world update as a whole, so one bad resource NACKs it.
func Check(typeURL string, resources []*anypb.Any, opts CheckOptions) []ResourceResult {
	out := make([]ResourceResult, 0, len(resources))
	seen := map[string]int{}
	for i, a := range resources {
		r := checkOne(typeURL, a, opts)
		if r.Name == "" && r.OK {
			r.Name = fmt.Sprintf("#%d", i)
			r.OK = false
			r.Errors = append(r.Errors, "resource has no name")
		}
		if first, dup := seen[r.Name]; dup {
			r.OK = false
			r.Errors = append(r.Errors, fmt.Sprintf("duplicate resource name (also resources[%d])", first))
		} else {
			seen[r.Name] = i
		}
		out = append(out, r)
	}
	return out
}

func checkOne(typeURL string, a *anypb.Any, opts CheckOptions) ResourceResult {
	r := ResourceResult{Errors: []string{}}
	fail := func(format string, args ...any) ResourceResult {
		r.Errors = append(r.Errors, fmt.Sprintf(format, args...))
		return r
	}
	msg, err := envoycheck.Unpack(a)
	if err != nil {
		return fail("decode %s: %v", a.GetTypeUrl(), err)
	}
	// Envoy accepts a resource wrapped in discovery.v3.Resource (name, version, payload).
	if wrapped, ok := msg.(*discoveryv3.Resource); ok {
		if a = wrapped.GetResource(); a == nil {
			r.Name = wrapped.GetName()
			return fail("discovery.v3.Resource without a resource")
		}
		if msg, err = envoycheck.Unpack(a); err != nil {
			r.Name = wrapped.GetName()
			return fail("decode %s: %v", a.GetTypeUrl(), err)
		}
	}
	r.Name = resourceName(msg)
	if a.GetTypeUrl() != typeURL {
		return fail("resource type %s in a %s response", a.GetTypeUrl(), typeURL)
	}
	r.Msg = msg
	errs, seen := envoycheck.Validate(msg, envoycheck.Envoy)
	r.Errors = append(r.Errors, errs...)
	if opts.Semantics {
		r.Errors = append(r.Errors, envoycheck.ResourceSemantics(msg, seen)...)
	}
	if opts.Warnings {
		r.Warnings = strictOnly(msg, errs)
	}
	r.OK = len(r.Errors) == 0
	if opts.Dump {
		if text, err := dumpJSON.Marshal(msg); err == nil {
			r.JSON = text
		}
	}
	return r
}

func resourceName(m proto.Message) string {
	switch v := m.(type) {
	case *listenerv3.Listener:
		return v.GetName()
	case *clusterv3.Cluster:
		return v.GetName()
	case *endpointv3.ClusterLoadAssignment:
		return v.GetClusterName()
	case *tlsv3.Secret:
		return v.GetName()
	}
	return ""
}

// strictOnly: the Strict findings (unknown fields, deprecations) that the Envoy mode did not report.
func strictOnly(msg proto.Message, envoyErrs []string) []string {
	known := map[string]bool{}
	for _, e := range envoyErrs {
		known[e] = true
	}
	var out []string
	all, _ := envoycheck.Validate(msg, envoycheck.Strict)
	for _, e := range all {
		if !known[e] {
			out = append(out, e)
		}
	}
	return out
}

// EDSServiceNames are the names Envoy subscribes to over EDS for these (accepted) clusters: the
// eds_cluster_config.service_name when set, else the cluster's name.
func EDSServiceNames(resources []*anypb.Any) []string {
	names := map[string]bool{}
	for _, a := range resources {
		msg, err := envoycheck.Unpack(a)
		if w, ok := msg.(*discoveryv3.Resource); ok && err == nil {
			msg, err = envoycheck.Unpack(w.GetResource())
		}
		c, ok := msg.(*clusterv3.Cluster)
		if err != nil || !ok || c.GetType() != clusterv3.Cluster_EDS {
			continue
		}
		if sn := c.GetEdsClusterConfig().GetServiceName(); sn != "" {
			names[sn] = true
		} else {
			names[c.GetName()] = true
		}
	}
	out := make([]string, 0, len(names))
	for n := range names {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}
