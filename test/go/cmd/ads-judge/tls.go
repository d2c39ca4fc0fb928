package main

// The judge's side of mTLS: its client SVID, and the server's chain and SPIFFE ID checked in full.

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"sync"

	"google.golang.org/grpc/credentials"

	"meshward.local/envoy-tools/adsclient"
)

// identityError records a server that presented the wrong identity, so the judge can tell that
// (fatal: it is talking to someone else) from an ordinary unavailable server.
type identityError struct {
	mu  sync.Mutex
	err error
}

func (e *identityError) set(err error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.err = err
}

func (e *identityError) get() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.err
}

// clientCredentials dials with the client SVID and accepts only a server whose certificate
// chains to caFile and whose only URI SAN is serverID. Go's built-in verification would check a
// DNS name instead (it ignores URI SANs), so it is switched off and done here in full.
func clientCredentials(certFile, keyFile, caFile, serverID string, seen *identityError) (credentials.TransportCredentials, error) {
	pair, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return nil, fmt.Errorf("client certificate: %w", err)
	}
	caPem, err := os.ReadFile(caFile)
	if err != nil {
		return nil, fmt.Errorf("ca: %w", err)
	}
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(caPem) {
		return nil, errors.New("ca: no PEM certificates in " + caFile)
	}
	cfg := &tls.Config{
		Certificates:       []tls.Certificate{pair},
		MinVersion:         tls.VersionTLS12,
		InsecureSkipVerify: true, // replaced by VerifyConnection below, which checks chain and SPIFFE ID
		VerifyConnection: func(cs tls.ConnectionState) error {
			err := verifyServer(cs.PeerCertificates, roots, serverID)
			if err != nil {
				seen.set(err)
			}
			return err
		},
	}
	return credentials.NewTLS(cfg), nil
}

func verifyServer(chain []*x509.Certificate, roots *x509.CertPool, serverID string) error {
	if len(chain) == 0 {
		return errors.New("judge: server sent no certificate")
	}
	if err := adsclient.VerifyChain(chain, roots); err != nil {
		return fmt.Errorf("judge: server certificate: %w", err)
	}
	uris := make([]string, 0, len(chain[0].URIs))
	for _, u := range chain[0].URIs {
		uris = append(uris, u.String())
	}
	if len(uris) != 1 || uris[0] != serverID {
		return fmt.Errorf("judge: server identity %v, want exactly [%s]", uris, serverID)
	}
	return nil
}
