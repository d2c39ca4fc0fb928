package envoycheck

// The JSON documents a proxy starts from: its bootstrap, and the file-based SDS DiscoveryResponses
// the bootstrap names. Each is decoded strictly into its generated type, held to Envoy's schema
// (Validate, Strict) and to the load-time checks of semantics.go.

import (
	"fmt"

	bootstrapv3 "github.com/envoyproxy/go-control-plane/envoy/config/bootstrap/v3"
	discoveryv3 "github.com/envoyproxy/go-control-plane/envoy/service/discovery/v3"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
)

// SecretType is the only resource type a file-based SDS document may hold.
const SecretType = "type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret"

// Strict: an unknown field or an unregistered "@type" is an error, as it is for Envoy.
var strictJSON = protojson.UnmarshalOptions{DiscardUnknown: false}

// CheckDocument decodes text as kind ("bootstrap" or "sds") and returns the message (nil when it
// does not decode) and every violation found (none = valid).
func CheckDocument(kind string, text []byte) (proto.Message, []string) {
	var msg proto.Message
	switch kind {
	case "bootstrap":
		msg = &bootstrapv3.Bootstrap{}
	case "sds":
		msg = &discoveryv3.DiscoveryResponse{}
	default:
		return nil, []string{fmt.Sprintf("unknown document kind %q (want bootstrap or sds)", kind)}
	}
	if err := strictJSON.Unmarshal(text, msg); err != nil {
		return nil, []string{"decode: " + err.Error()}
	}
	errs, seen := Validate(msg, Strict)
	switch m := msg.(type) {
	case *bootstrapv3.Bootstrap:
		errs = append(errs, BootstrapSemantics(m, seen)...)
	case *discoveryv3.DiscoveryResponse:
		errs = append(errs, SDSSemantics(m)...)
	}
	return msg, errs
}
