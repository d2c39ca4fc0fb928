package main

// The Go TLS client for one connection to the xDS server: TLS 1.2 or later (the bootstrap's
// tls_params may narrow it, and name the TLS 1.2 cipher suites), the pod's SVID as the client
// certificate, SNI from the context, and the server verified as Envoy's default validator does:
// the chain to trusted_ca, then any SAN of a matcher's type matching that matcher.

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"regexp"
	"strings"

	tlsv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/transport_sockets/tls/v3"
	matcherv3 "github.com/envoyproxy/go-control-plane/envoy/type/matcher/v3"

	"meshward.local/envoy-tools/adsclient"
)

var tlsVersions = map[tlsv3.TlsParameters_TlsProtocol]uint16{
	tlsv3.TlsParameters_TLSv1_2: tls.VersionTLS12,
	tlsv3.TlsParameters_TLSv1_3: tls.VersionTLS13,
}

// peerSeen receives the identity the server proved, for the "connected" line.
type peerSeen func(spiffeID string)

func clientTLS(ctx *tlsv3.UpstreamTlsContext, m *tlsMaterial, host string, seen peerSeen) (*tls.Config, error) {
	params := ctx.GetCommonTlsContext().GetTlsParams()
	cfg := &tls.Config{
		Certificates: []tls.Certificate{m.pair},
		MinVersion:   tls.VersionTLS12,
		MaxVersion:   tls.VersionTLS13,
		ServerName:   ctx.GetSni(),
		NextProtos:   ctx.GetCommonTlsContext().GetAlpnProtocols(),
		// Go would check a DNS SAN against the dialled host; Envoy checks the configured SAN
		// matchers instead, which VerifyConnection does, after the chain.
		InsecureSkipVerify: true,
		VerifyConnection: func(cs tls.ConnectionState) error {
			id, err := verifyServer(cs.PeerCertificates, m.roots, m.sans)
			if err == nil {
				seen(id)
			}
			return err
		},
	}
	if cfg.ServerName == "" {
		cfg.ServerName = host
	}
	if v, ok := tlsVersions[params.GetTlsMinimumProtocolVersion()]; ok {
		cfg.MinVersion = v
	}
	if v, ok := tlsVersions[params.GetTlsMaximumProtocolVersion()]; ok {
		cfg.MaxVersion = v
	}
	if cfg.MinVersion > cfg.MaxVersion {
		return nil, fmt.Errorf("tls_params: minimum version above the maximum")
	}
	for _, name := range params.GetCipherSuites() {
		id, ok := cipherSuites[name]
		if !ok {
			return nil, fmt.Errorf("tls_params.cipher_suites: %q is not a TLS 1.2 suite the stand-in knows", name)
		}
		cfg.CipherSuites = append(cfg.CipherSuites, id)
	}
	return cfg, nil
}

// BoringSSL's names for the TLS 1.2 suites Go implements (TLS 1.3 suites are not configurable).
var cipherSuites = map[string]uint16{
	"ECDHE-ECDSA-AES128-GCM-SHA256": tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
	"ECDHE-RSA-AES128-GCM-SHA256":   tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
	"ECDHE-ECDSA-AES256-GCM-SHA384": tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
	"ECDHE-RSA-AES256-GCM-SHA384":   tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
	"ECDHE-ECDSA-CHACHA20-POLY1305": tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
	"ECDHE-RSA-CHACHA20-POLY1305":   tls.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
	"ECDHE-ECDSA-AES128-SHA":        tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA,
	"ECDHE-RSA-AES128-SHA":          tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA,
	"ECDHE-ECDSA-AES256-SHA":        tls.TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA,
	"ECDHE-RSA-AES256-SHA":          tls.TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA,
	"AES128-GCM-SHA256":             tls.TLS_RSA_WITH_AES_128_GCM_SHA256,
	"AES256-GCM-SHA384":             tls.TLS_RSA_WITH_AES_256_GCM_SHA384,
	"AES128-SHA":                    tls.TLS_RSA_WITH_AES_128_CBC_SHA,
	"AES256-SHA":                    tls.TLS_RSA_WITH_AES_256_CBC_SHA,
}

// verifyServer returns the server's SPIFFE ID (its first spiffe:// URI SAN) once the chain and the
// SAN matchers hold; no matcher means any SAN (Envoy then checks the chain only).
func verifyServer(chain []*x509.Certificate, roots *x509.CertPool, sans []*tlsv3.SubjectAltNameMatcher) (string, error) {
	if err := adsclient.VerifyChain(chain, roots); err != nil {
		return "", fmt.Errorf("server certificate: %w", err)
	}
	leaf := chain[0]
	var uris []string
	id := ""
	for _, u := range leaf.URIs {
		uris = append(uris, u.String())
		if id == "" && u.Scheme == "spiffe" {
			id = u.String()
		}
	}
	if len(sans) == 0 {
		return id, nil
	}
	values := map[tlsv3.SubjectAltNameMatcher_SanType][]string{
		tlsv3.SubjectAltNameMatcher_URI:   uris,
		tlsv3.SubjectAltNameMatcher_DNS:   leaf.DNSNames,
		tlsv3.SubjectAltNameMatcher_EMAIL: leaf.EmailAddresses,
	}
	for _, ip := range leaf.IPAddresses {
		values[tlsv3.SubjectAltNameMatcher_IP_ADDRESS] = append(values[tlsv3.SubjectAltNameMatcher_IP_ADDRESS], ip.String())
	}
	for _, m := range sans {
		for _, v := range values[m.GetSanType()] {
			if stringMatch(m.GetMatcher(), v) {
				return id, nil
			}
		}
	}
	return "", fmt.Errorf("server identity %v matches none of %s", uris, strings.Join(describeSANs(sans), ", "))
}

// stringMatch is Envoy's StringMatcher (safe_regex: RE2, whole value).
func stringMatch(m *matcherv3.StringMatcher, v string) bool {
	fold := func(s string) string {
		if m.GetIgnoreCase() {
			return strings.ToLower(s)
		}
		return s
	}
	switch p := m.GetMatchPattern().(type) {
	case *matcherv3.StringMatcher_Exact:
		return fold(v) == fold(p.Exact)
	case *matcherv3.StringMatcher_Prefix:
		return strings.HasPrefix(fold(v), fold(p.Prefix))
	case *matcherv3.StringMatcher_Suffix:
		return strings.HasSuffix(fold(v), fold(p.Suffix))
	case *matcherv3.StringMatcher_Contains:
		return strings.Contains(fold(v), fold(p.Contains))
	case *matcherv3.StringMatcher_SafeRegex:
		re, err := regexp.Compile("^(?:" + p.SafeRegex.GetRegex() + ")$")
		return err == nil && re.MatchString(v)
	}
	return false
}

// describeSANs renders matchers as "URI exact spiffe://…" for logs.
func describeSANs(sans []*tlsv3.SubjectAltNameMatcher) []string {
	out := make([]string, 0, len(sans))
	for _, s := range sans {
		kind, value := "?", ""
		switch p := s.GetMatcher().GetMatchPattern().(type) {
		case *matcherv3.StringMatcher_Exact:
			kind, value = "exact", p.Exact
		case *matcherv3.StringMatcher_Prefix:
			kind, value = "prefix", p.Prefix
		case *matcherv3.StringMatcher_Suffix:
			kind, value = "suffix", p.Suffix
		case *matcherv3.StringMatcher_Contains:
			kind, value = "contains", p.Contains
		case *matcherv3.StringMatcher_SafeRegex:
			kind, value = "regex", p.SafeRegex.GetRegex()
		}
		out = append(out, fmt.Sprintf("%s %s %s", s.GetSanType(), kind, value))
	}
	return out
}
