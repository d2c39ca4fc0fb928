package main

// What the judge checks in a response: each resource decoded into its generated type and held to
// Envoy's schema (protoc-gen-validate, typed_configs included: envoycheck.Validate in its Envoy
// mode, which leaves out what Envoy only warns about); and the EDS names CDS implies.

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

// resourceResult is one resource of a response as the judge saw it.
type resourceResult struct {
	Name   string          `json:"name"`
	OK     bool            `json:"ok"`
	Errors []string        `json:"errors"`
	JSON   json.RawMessage `json:"json,omitempty"`
}

var dumpJSON = protojson.MarshalOptions{Resolver: protoregistry.GlobalTypes}

// judgeResources decodes every resource into its generated type and validates it the way Envoy
// does before accepting an update: the type must match the response's, protoc-gen-validate rules
// hold (including inside every typed_config, which ValidateAll does not descend into), and names
// are unique. Envoy rejects a state-of-the-world update as a whole, so one bad resource NACKs it.
func judgeResources(typeURL string, resources []*anypb.Any, dump bool) []resourceResult {
	out := make([]resourceResult, 0, len(resources))
	seen := map[string]int{}
	for i, a := range resources {
		r := judgeOne(typeURL, a, dump)
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

func judgeOne(typeURL string, a *anypb.Any, dump bool) resourceResult {
	r := resourceResult{Errors: []string{}}
	fail := func(format string, args ...any) resourceResult {
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
	errs, _ := envoycheck.Validate(msg, envoycheck.Envoy)
	r.Errors = append(r.Errors, errs...)
	r.OK = len(r.Errors) == 0
	if dump {
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

// edsServiceNames are the names Envoy subscribes to over EDS for these (accepted) clusters: the
// eds_cluster_config.service_name when set, else the cluster's name.
func edsServiceNames(resources []*anypb.Any) []string {
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
