package graphtest

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"time"
)

// checkAssertion verifies a client assertion (the JWT a certificate
// credential sends instead of a secret) as Entra ID does: signed with
// the key of the registered certificate (PS256, or RS256 for ADFS-style
// clients), naming the certificate by thumbprint, issued by and for the
// client, addressed to the token endpoint, and not expired.
func checkAssertion(jwt string, cert *x509.Certificate, clientID, endpoint string, now time.Time) error {
	parts := strings.Split(jwt, ".")
	if len(parts) != 3 {
		return errors.New("the assertion is not a JWT")
	}
	var hdr map[string]any
	var claims map[string]any
	if err := decodeSegment(parts[0], &hdr); err != nil {
		return errors.New("the assertion's header is not JSON")
	}
	if err := decodeSegment(parts[1], &claims); err != nil {
		return errors.New("the assertion's claims are not JSON")
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		return errors.New("the assertion's signature is not base64url")
	}
	pub, ok := cert.PublicKey.(*rsa.PublicKey)
	if !ok {
		return errors.New("the registered certificate has no RSA key")
	}
	signed := []byte(parts[0] + "." + parts[1])
	switch hdr["alg"] {
	case "PS256":
		sum := sha256.Sum256(signed)
		if want := thumb(sha256.New(), cert); hdr["x5t#S256"] != want {
			return errors.New("the assertion's x5t#S256 does not name the registered certificate")
		}
		err = rsa.VerifyPSS(pub, crypto.SHA256, sum[:], sig, nil)
	case "RS256":
		sum := sha256.Sum256(signed)
		if want := thumb(sha1.New(), cert); hdr["x5t"] != want {
			return errors.New("the assertion's x5t does not name the registered certificate")
		}
		err = rsa.VerifyPKCS1v15(pub, crypto.SHA256, sum[:], sig)
	default:
		return errors.New("the assertion's alg is neither PS256 nor RS256")
	}
	if err != nil {
		return errors.New("the assertion's signature does not verify with the registered certificate")
	}
	if claims["iss"] != clientID || claims["sub"] != clientID {
		return errors.New("the assertion's iss and sub are not the client id")
	}
	if aud, _ := claims["aud"].(string); !strings.EqualFold(strings.TrimRight(aud, "/"), strings.TrimRight(endpoint, "/")) {
		return errors.New("the assertion's aud is not the token endpoint")
	}
	exp, _ := claims["exp"].(float64)
	if exp == 0 || now.After(time.Unix(int64(exp), 0)) {
		return errors.New("the assertion has expired")
	}
	return nil
}

func decodeSegment(s string, v any) error {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}

type hasher interface {
	Write([]byte) (int, error)
	Sum([]byte) []byte
}

// thumb is a certificate's thumbprint as MSAL writes it: standard base64
// of the hash of the DER bytes.
func thumb(h hasher, cert *x509.Certificate) string {
	h.Write(cert.Raw)
	return base64.StdEncoding.EncodeToString(h.Sum(nil))
}
