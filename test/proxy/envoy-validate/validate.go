package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"unicode"

	bootstrapv3 "github.com/envoyproxy/go-control-plane/envoy/config/bootstrap/v3"
	discoveryv3 "github.com/envoyproxy/go-control-plane/envoy/service/discovery/v3"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/descriptorpb"
	"google.golang.org/protobuf/types/known/anypb"
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
	w := &walker{}
	w.validate(msg, "")
	w.walk(msg.ProtoReflect(), "")
	switch m := msg.(type) {
	case *bootstrapv3.Bootstrap:
		w.errs = append(w.errs, bootstrapSemantics(m, w.seen)...)
	case *discoveryv3.DiscoveryResponse:
		w.errs = append(w.errs, sdsSemantics(m)...)
	}
	return w.errs
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

// walker visits every populated message, including the ones packed in Any fields, which the
// generated ValidateAll does not descend into (Envoy validates them when it builds the extension).
type walker struct {
	errs []string
	seen []visited
}

type visited struct {
	path string
	msg  proto.Message
}

func (w *walker) validate(m proto.Message, path string) {
	v, ok := m.(interface{ ValidateAll() error })
	if !ok {
		return
	}
	if err := v.ValidateAll(); err != nil {
		flatten(err, path, &w.errs)
	}
}

func (w *walker) walk(m protoreflect.Message, path string) {
	w.seen = append(w.seen, visited{path, m.Interface()})
	w.errs = append(w.errs, unknownFields(m, path)...)
	fields := []protoreflect.FieldDescriptor{}
	m.Range(func(fd protoreflect.FieldDescriptor, _ protoreflect.Value) bool {
		fields = append(fields, fd)
		return true
	})
	sort.Slice(fields, func(i, j int) bool { return fields[i].Number() < fields[j].Number() })
	for _, fd := range fields {
		p := join(path, string(fd.Name()))
		if opts, ok := fd.Options().(*descriptorpb.FieldOptions); ok && opts.GetDeprecated() {
			w.errs = append(w.errs, p+": deprecated field (Envoy warns, later rejects)")
		}
		v := m.Get(fd)
		switch {
		case fd.IsList():
			for i := 0; i < v.List().Len(); i++ {
				w.value(fd, v.List().Get(i), fmt.Sprintf("%s[%d]", p, i))
			}
		case fd.IsMap():
			keys := []protoreflect.MapKey{}
			v.Map().Range(func(k protoreflect.MapKey, _ protoreflect.Value) bool {
				keys = append(keys, k)
				return true
			})
			sort.Slice(keys, func(i, j int) bool { return keys[i].String() < keys[j].String() })
			for _, k := range keys {
				w.value(fd.MapValue(), v.Map().Get(k), fmt.Sprintf("%s[%s]", p, k.String()))
			}
		default:
			w.value(fd, v, p)
		}
	}
}

func (w *walker) value(fd protoreflect.FieldDescriptor, v protoreflect.Value, path string) {
	switch fd.Kind() {
	case protoreflect.EnumKind:
		ev := fd.Enum().Values().ByNumber(v.Enum())
		if ev == nil {
			w.errs = append(w.errs, fmt.Sprintf("%s: unknown enum value %d", path, v.Enum()))
		} else if opts, ok := ev.Options().(*descriptorpb.EnumValueOptions); ok && opts.GetDeprecated() {
			w.errs = append(w.errs, fmt.Sprintf("%s: deprecated enum value %s", path, ev.Name()))
		}
	case protoreflect.MessageKind, protoreflect.GroupKind:
		msg := v.Message()
		if a, ok := msg.Interface().(*anypb.Any); ok {
			w.any(a, path)
			return
		}
		w.walk(msg, path)
	}
}

func (w *walker) any(a *anypb.Any, path string) {
	inner, err := a.UnmarshalNew()
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
	case bytes.HasPrefix([]byte(name), []byte("[")):
		return prefix + name
	default:
		return prefix + "." + name
	}
}

// snake maps protoc-gen-validate's Go field names ("StaticResources[0]") to the JSON/proto names
// used in the documents ("static_resources[0]").
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
