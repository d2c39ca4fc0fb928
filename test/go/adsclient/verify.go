package adsclient

import (
	"crypto/x509"
	"errors"
)

// VerifyChain checks that chain (leaf first, as TLS delivers it) leads to roots and that the leaf
// may serve TLS. The SAN check is the caller's: Go's own verification would match a DNS name to the
// dialled host, while the mesh names its servers by SPIFFE ID (a URI SAN).
func VerifyChain(chain []*x509.Certificate, roots *x509.CertPool) error {
	if len(chain) == 0 {
		return errors.New("server sent no certificate")
	}
	inter := x509.NewCertPool()
	for _, c := range chain[1:] {
		inter.AddCert(c)
	}
	_, err := chain[0].Verify(x509.VerifyOptions{Roots: roots, Intermediates: inter, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}})
	return err
}
