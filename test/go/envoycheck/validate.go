package envoycheck

import (
	"fmt"
	"sort"
	"strings"
	"unicode"

	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/types/descriptorpb"
	"google.golang.org/protobuf/types/known/anypb"
)

// Mode says how much Validate reports.
type Mode int

const (
	// Envoy: what Envoy enforces before it accepts a resource, the protoc-gen-validate rules of the
	// message and of every message packed in an Any below it (and an Any that does not unpack).
	Envoy Mode = iota
	// Strict: Envoy, plus what Envoy tolerates with at most a warning: unknown fields (a field
	// number the schema does not define), unknown enum values, deprecated fields and enum values.
	Strict
)

// Visited is one message Validate passed (the top one at path ""), for checks that look for a
// type anywhere in the document (every RegexMatcher, every cluster reference).
type Visited struct {
	Path string
	Msg  proto.Message
}

// Validate returns every violation found in m (none = valid) and the messages it visited, in
// field-number order, the Anys' payloads included.
func Validate(m proto.Message, mode Mode) (errs []string, seen []Visited) {
	w := &walker{strict: mode == Strict}
	w.validate(m, "")
	w.walk(m.ProtoReflect(), "")
	return w.errs, w.seen
}

// Unpack decodes an Any into the registered generated type for its type URL (an unregistered
// type is protoregistry.NotFound). Unknown fields are kept, as they are in the Anys Validate
// unpacks, so a Strict Validate can report them.
func Unpack(a *anypb.Any) (proto.Message, error) {
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

// walker visits every populated message, including the ones packed in Any fields, which the
// generated ValidateAll checks as an Any but never unpacks (Envoy validates the payload when it
// builds the extension).
type walker struct {
	strict bool
	errs   []string
	seen   []Visited
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
	w.seen = append(w.seen, Visited{path, m.Interface()})
	if w.strict {
		w.errs = append(w.errs, unknownFields(m, path)...)
	}
	fields := []protoreflect.FieldDescriptor{}
	m.Range(func(fd protoreflect.FieldDescriptor, _ protoreflect.Value) bool {
		fields = append(fields, fd)
		return true
	})
	sort.Slice(fields, func(i, j int) bool { return fields[i].Number() < fields[j].Number() })
	for _, fd := range fields {
		p := Join(path, string(fd.Name()))
		if opts, ok := fd.Options().(*descriptorpb.FieldOptions); w.strict && ok && opts.GetDeprecated() {
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
		if !w.strict {
			return
		}
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

// unknownFields reports fields the binary carries that the schema does not define: a value our
// encoder put under a wrong field number (or a field newer than this go-control-plane).
func unknownFields(m protoreflect.Message, path string) []string {
	b := m.GetUnknown()
	at := path
	if at == "" {
		at = "(resource)"
	}
	var errs []string
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return append(errs, fmt.Sprintf("%s: malformed unknown field data in %s", at, m.Descriptor().FullName()))
		}
		size := protowire.ConsumeFieldValue(num, typ, b[n:])
		if size < 0 {
			return append(errs, fmt.Sprintf("%s: malformed unknown field %d in %s", at, num, m.Descriptor().FullName()))
		}
		errs = append(errs, fmt.Sprintf("%s: unknown field number %d (wire type %d) in %s", at, num, typ, m.Descriptor().FullName()))
		b = b[n+size:]
	}
	return errs
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
		p := Join(prefix, snake(e.Field()))
		if e.Cause() != nil {
			flatten(e.Cause(), p, out)
			return
		}
		*out = append(*out, p+": "+e.Reason())
	default:
		*out = append(*out, Join(prefix, "")+": "+err.Error())
	}
}

// Join appends a field name ("clusters") or an index ("[0]") to a field path.
func Join(prefix, name string) string {
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

// snake maps protoc-gen-validate's Go field names ("StaticResources[0]", "ConnectTimeout") to the
// proto and JSON names used in the documents and grepped for ("static_resources[0]",
// "connect_timeout").
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
