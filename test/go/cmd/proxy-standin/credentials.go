package main

// The ADS cluster's UpstreamTlsContext turned into a Go TLS client, as Envoy would use it: the
// client certificate and the trust bundle from file-based SDS (the DiscoveryResponse files the
// bootstrap names, which point at the PEM files the kubelet projects), re-read for every connection
// because the kubelet rotates them; the server's chain checked against that bundle and its SANs
// against match_typed_subject_alt_names.

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"

	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	tlsv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/transport_sockets/tls/v3"
	discoveryv3 "github.com/envoyproxy/go-control-plane/envoy/service/discovery/v3"

	"meshward.local/envoy-tools/envoycheck"
)

// tlsMaterial is what one connection attempt uses, read fresh from the files.
type tlsMaterial struct {
	pair  tls.Certificate
	roots *x509.CertPool
	sans  []*tlsv3.SubjectAltNameMatcher
	Files map[string]string `json:"files"` // certificate_chain, private_key, trusted_ca → where each came from
}

func loadTLS(ctx *tlsv3.UpstreamTlsContext) (*tlsMaterial, error) {
	common := ctx.GetCommonTlsContext()
	m := &tlsMaterial{Files: map[string]string{}}
	var cert *tlsv3.TlsCertificate
	switch {
	case len(common.GetTlsCertificates()) > 0:
		cert = common.GetTlsCertificates()[0]
	case len(common.GetTlsCertificateSdsSecretConfigs()) > 0:
		s, err := sdsSecret(common.GetTlsCertificateSdsSecretConfigs()[0])
		if err != nil {
			return nil, err
		}
		cert = s.GetTlsCertificate()
	}
	if cert == nil {
		return nil, errors.New("no client certificate: the xDS server requires the pod's SVID")
	}
	chain, err := readSource(cert.GetCertificateChain(), "certificate_chain", m.Files)
	if err != nil {
		return nil, err
	}
	key, err := readSource(cert.GetPrivateKey(), "private_key", m.Files)
	if err != nil {
		return nil, err
	}
	if m.pair, err = tls.X509KeyPair(chain, key); err != nil {
		return nil, fmt.Errorf("client certificate: %w", err)
	}

	// A combined context is the inline default merged with the SDS one: repeated fields add up.
	var vcs []*tlsv3.CertificateValidationContext
	sdsConfig := common.GetValidationContextSdsSecretConfig()
	if c := common.GetCombinedValidationContext(); c != nil {
		vcs = append(vcs, c.GetDefaultValidationContext())
		sdsConfig = c.GetValidationContextSdsSecretConfig()
	}
	if v := common.GetValidationContext(); v != nil {
		vcs = append(vcs, v)
	}
	if sdsConfig != nil {
		s, err := sdsSecret(sdsConfig)
		if err != nil {
			return nil, err
		}
		vcs = append(vcs, s.GetValidationContext())
	}
	m.roots = x509.NewCertPool()
	anchors := false
	for _, vc := range vcs {
		m.sans = append(m.sans, vc.GetMatchTypedSubjectAltNames()...)
		if vc.GetTrustedCa() == nil {
			continue
		}
		pem, err := readSource(vc.GetTrustedCa(), "trusted_ca", m.Files)
		if err != nil {
			return nil, err
		}
		if !m.roots.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("trusted_ca %s: no PEM certificate", m.Files["trusted_ca"])
		}
		anchors = true
	}
	if !anchors {
		return nil, errors.New("no trusted_ca: the server's certificate could not be verified")
	}
	return m, nil
}

// sdsSecret reads a file-based SDS secret (path_config_source) the way Envoy does: a strict
// DiscoveryResponse holding the secret of exactly the configured name.
func sdsSecret(c *tlsv3.SdsSecretConfig) (*tlsv3.Secret, error) {
	source := c.GetSdsConfig()
	path := source.GetPathConfigSource().GetPath()
	if path == "" {
		path = source.GetPath() // the deprecated spelling, which Envoy still reads
	}
	if path == "" {
		return nil, fmt.Errorf("secret %q: only file-based SDS (path_config_source) is supported", c.GetName())
	}
	text, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("secret %q: %w", c.GetName(), err)
	}
	msg, errs := envoycheck.CheckDocument("sds", text)
	if len(errs) > 0 {
		return nil, fmt.Errorf("secret %q: %s: %v", c.GetName(), path, errs)
	}
	for _, a := range msg.(*discoveryv3.DiscoveryResponse).GetResources() {
		var s tlsv3.Secret
		if a.UnmarshalTo(&s) == nil && s.GetName() == c.GetName() {
			return &s, nil
		}
	}
	return nil, fmt.Errorf("secret %q: not in %s", c.GetName(), path)
}

func readSource(ds *corev3.DataSource, field string, files map[string]string) ([]byte, error) {
	switch {
	case ds.GetFilename() != "":
		files[field] = ds.GetFilename()
		b, err := os.ReadFile(ds.GetFilename())
		if err != nil {
			return nil, fmt.Errorf("%s: %w", field, err)
		}
		return b, nil
	case ds.GetInlineBytes() != nil:
		files[field] = "(inline_bytes)"
		return ds.GetInlineBytes(), nil
	case ds.GetInlineString() != "":
		files[field] = "(inline_string)"
		return []byte(ds.GetInlineString()), nil
	case ds.GetEnvironmentVariable() != "":
		files[field] = "$" + ds.GetEnvironmentVariable()
		return []byte(os.Getenv(ds.GetEnvironmentVariable())), nil
	}
	return nil, fmt.Errorf("%s: empty data source", field)
}
