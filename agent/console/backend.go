package console

import (
	"context"
	"net/http"

	"github.com/retentiond/retentiond/agent"
	"github.com/retentiond/retentiond/agent/approval"
	"github.com/retentiond/retentiond/agent/holds"
	"github.com/retentiond/retentiond/agent/plan"
	"github.com/retentiond/retentiond/agent/requests"
	"github.com/retentiond/retentiond/agent/review"
	"github.com/retentiond/retentiond/rules"
)

// Backend is what the console asks of the service: the methods of
// *agent.Service it calls, and nothing else, so that its unit tests can
// use a fake. Every method that changes state takes the Actor and
// ledgers the change with it.
type Backend interface {
	// plans
	Plans() ([]PlanInfo, error)
	Approve(ctx context.Context, id string, by Actor, exclude []string, comment string) (*approval.Approval, error)
	Apply(ctx context.Context, id string, o agent.ApplyOptions) (*agent.ApplyResult, error)
	Explain(ctx context.Context, store, record string, asOf rules.Date, lang string) (*agent.Explanation, error)
	// the reviewers' selection before approval, and rejection (H5)
	Exclude(ctx context.Context, planID string, items []int, by Actor, reason string) error
	Include(ctx context.Context, planID string, items []int, by Actor) error
	Excluded(planID string) ([]int, error)
	Reject(ctx context.Context, planID string, by Actor, comment string) error
	// review
	Resolve(ctx context.Context, r review.Resolution, by Actor) (review.Resolution, error)
	Resolutions(all bool) ([]review.Resolution, error)
	// requests
	Requests(all bool) ([]requests.Request, error)
	OpenRequest(ctx context.Context, in agent.RequestInput, by Actor) (requests.Request, error)
	AnswerRequest(ctx context.Context, id string, by Actor) (requests.Change, error)
	CompleteRequest(ctx context.Context, id string, by Actor) (requests.Change, error)
	RefuseRequest(ctx context.Context, id string, by Actor) (requests.Change, error)
	AccessPackage(ctx context.Context, id, out string, by Actor) (*agent.Package, error)
	// holds
	Holds(all bool) ([]holds.Hold, error)
	AddHold(ctx context.Context, in agent.HoldInput, by Actor) (holds.Hold, error)
	ReleaseHold(ctx context.Context, id string, by Actor) (holds.Hold, error)
	// people, from the registries
	Subjects(ctx context.Context, query string, limit int) ([]plan.SubjectRef, error)
	// ledger
	VerifyLedger(ctx context.Context) (LedgerStatus, error)
	Proof(ctx context.Context, store, record string) (string, error)
}

// The agent package's types the console shows.
type (
	Actor        = agent.Actor
	PlanInfo     = agent.PlanInfo
	LedgerStatus = agent.LedgerStatus
)

// Person is who is signed in, as the Authenticator tells it.
type Person struct {
	// Account is "local:NAME" or "oidc:ISSUER#SUB"; Name is shown and
	// goes into approval files (the ledger gets a keyed pseudonym).
	Account, Name string
	// Can reports whether the person may act in role (config.Role*).
	Can func(role string) bool
}

// Authenticator signs people in: agent/console/auth, or a fake in tests.
type Authenticator interface {
	// Routes registers the sign-in pages (/login, /logout, …).
	Routes(mux *http.ServeMux)
	// Require lets signed-in people through and sends others to sign in.
	Require(next http.Handler) http.Handler
	// Person returns who is signed in, from a request Require let through.
	Person(ctx context.Context) *Person
	// Secure reports whether cookies must be Secure (TLS).
	Secure() bool
}

// actor is the Actor of the person signed in.
func actor(p *Person) Actor {
	return Actor{Name: p.Name, Via: agent.ViaConsole, Account: p.Account}
}

var _ Backend = (*agent.Service)(nil)
