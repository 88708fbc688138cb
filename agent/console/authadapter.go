package console

import (
	"context"
	"net/http"

	"github.com/retentiond/retentiond/agent/console/auth"
)

// FromAuth is the Authenticator of agent/console/auth: OpenID Connect
// and local accounts, with their sessions and roles.
func FromAuth(a *auth.Auth) Authenticator { return authAdapter{a} }

type authAdapter struct{ a *auth.Auth }

func (x authAdapter) Routes(mux *http.ServeMux)              { x.a.Routes(mux) }
func (x authAdapter) Require(next http.Handler) http.Handler { return x.a.Require(next) }
func (x authAdapter) Secure() bool                           { return x.a.Secure() }

func (x authAdapter) Person(ctx context.Context) *Person {
	u := auth.UserFrom(ctx)
	if u == nil {
		return nil
	}
	return &Person{Account: u.Account, Name: u.Name, Can: u.Can}
}
