package main

// What the judge checks in a response: each resource decoded into its generated type and held to
// Envoy's schema (protoc-gen-validate), typed_configs included; and the EDS names CDS implies.

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"unicode"

	clusterv3 "github.com/envoyproxy/go-control-plane/envoy/config/cluster/v3"
	endpointv3 "github.com/envoyproxy/go-control-plane/envoy/config/endpoint/v3"
	listenerv3 "github.com/envoyproxy/go-control-plane/envoy/config/listener/v3"
	tlsv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/transport_sockets/tls/v3"
	discoveryv3 "github.com/envoyproxy/go-control-plane/envoy/service/discovery/v3"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/types/known/anypb"
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
	msg, err := unpack(a)
	if err != nil {
		return fail("decode %s: %v", a.GetTypeUrl(), err)
	}
	// Envoy accepts a resource wrapped in discovery.v3.Resource (name, version, payload).
	if wrapped, ok := msg.(*discoveryv3.Resource); ok {
		if a = wrapped.GetResource(); a == nil {
			r.Name = wrapped.GetName()
			return fail("discovery.v3.Resource without a resource")
		}
		if msg, err = unpack(a); err != nil {
			r.Name = wrapped.GetName()
			return fail("decode %s: %v", a.GetTypeUrl(), err)
		}
	}
	r.Name = resourceName(msg)
	if a.GetTypeUrl() != typeURL {
		return fail("resource type %s in a %s response", a.GetTypeUrl(), typeURL)
	}
	w := &walker{}
	w.validate(msg, "")
	w.walk(msg.ProtoReflect(), "")
	r.Errors = append(r.Errors, w.errs...)
	r.OK = len(r.Errors) == 0
	if dump {
		if text, err := dumpJSON.Marshal(msg); err == nil {
			r.JSON = text
		}
	}
	return r
}

func unpack(a *anypb.Any) (proto.Message, error) {
	mt, err := protoregistry.GlobalTypes.FindMessageByURL(a.GetTypeUrl())
	if err != nil {
		return nil, err
	}
	msg := mt.New().Interface()
	if err := proto.Unmarshal(a.GetValue(), msg); err != nil {
		return nil, err
	}
	return msg, nil
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
		msg, err := unpack(a)
		if w, ok := msg.(*discoveryv3.Resource); ok && err == nil {
			msg, err = unpack(w.GetResource())
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

// walker runs ValidateAll on every message packed in an Any below the resource (the generated
// ValidateAll checks an Any field's own rules but never unpacks it; Envoy validates the payload
// when it builds the extension), reporting each violation with its proto field path.
type walker struct{ errs []string }

func (w *walker) validate(m proto.Message, path string) {
	if v, ok := m.(interface{ ValidateAll() error }); ok {
		if err := v.ValidateAll(); err != nil {
			flatten(err, path, &w.errs)
		}
	}
}

func (w *walker) walk(m protoreflect.Message, path string) {
	var fields []protoreflect.FieldDescriptor
	m.Range(func(fd protoreflect.FieldDescriptor, _ protoreflect.Value) bool {
		if fd.Kind() == protoreflect.MessageKind || fd.Kind() == protoreflect.GroupKind {
			fields = append(fields, fd)
		}
		return true
	})
	sort.Slice(fields, func(i, j int) bool { return fields[i].Number() < fields[j].Number() })
	for _, fd := range fields {
		p := join(path, string(fd.Name()))
		v := m.Get(fd)
		switch {
		case fd.IsList():
			for i := 0; i < v.List().Len(); i++ {
				w.message(v.List().Get(i).Message(), fmt.Sprintf("%s[%d]", p, i))
			}
		case fd.IsMap():
			if fd.MapValue().Kind() != protoreflect.MessageKind {
				continue
			}
			v.Map().Range(func(k protoreflect.MapKey, mv protoreflect.Value) bool {
				w.message(mv.Message(), fmt.Sprintf("%s[%s]", p, k.String()))
				return true
			})
		default:
			w.message(v.Message(), p)
		}
	}
}

func (w *walker) message(m protoreflect.Message, path string) {
	a, ok := m.Interface().(*anypb.Any)
	if !ok {
		w.walk(m, path)
		return
	}
	inner, err := unpack(a)
	if err != nil {
		w.errs = append(w.errs, fmt.Sprintf("%s: cannot unpack %s: %v", path, a.GetTypeUrl(), err))
		return
	}
	p := fmt.Sprintf("%s<%s>", path, inner.ProtoReflect().Descriptor().Name())
	w.validate(inner, p)
	w.walk(inner.ProtoReflect(), p)
}

// flatten turns protoc-gen-validate's nested (multi-)errors into one line per violation.
func flatten(err error, prefix string, out *[]string) {
	type multi interface{ AllErrors() []error }
	type fieldError interface {
		Field() string
		Reason() string
		Cause() error
	}
	switch e := err.(type) {
	case multi:
		for _, inner := range e.AllErrors() {
			flatten(inner, prefix, out)
		}
	case fieldError:
		p := join(prefix, snake(e.Field()))
		if e.Cause() != nil {
			flatten(e.Cause(), p, out)
			return
		}
		*out = append(*out, p+": "+e.Reason())
	default:
		*out = append(*out, join(prefix, "")+": "+err.Error())
	}
}

func join(prefix, name string) string {
	switch {
	case prefix == "":
		return name
	case name == "":
		return prefix
	case strings.HasPrefix(name, "["):
		return prefix + name
	default:
		return prefix + "." + name
	}
}

// snake maps protoc-gen-validate's Go field names ("ConnectTimeout", "Endpoints[0]") to the
// proto names ("connect_timeout", "endpoints[0]") a control-plane author greps for.
func snake(field string) string {
	var b strings.Builder
	for i, r := range field {
		if r == '[' {
			b.WriteString(field[i:])
			break
		}
		if unicode.IsUpper(r) {
			if i > 0 {
				b.WriteByte('_')
			}
			r = unicode.ToLower(r)
		}
		b.WriteRune(r)
	}
	return b.String()
}
