package console

import (
	"net/http"

	"github.com/retentiond/retentiond/agent/requests"
	"github.com/retentiond/retentiond/config"
)

// routes registers the pages. Every state change is a POST (the mux
// answers any other method with 405) and names the role it needs; GET
// pages are for every signed-in role (viewer and up).
func (c *Console) routes() {
	const (
		any      = ""
		reviewer = config.RoleReviewer
		approver = config.RoleApprover
		officer  = config.RolePrivacyOfficer
	)
	c.mux = http.NewServeMux()
	c.route("GET /{$}", any, c.overview)
	c.route("POST /lang", any, c.setLang)

	c.route("GET /plans", any, c.plansPage)
	c.route("GET /plans/{id}", any, c.planPage)
	c.route("POST /plans/{id}/search", any, c.planSearch)
	c.route("GET /plans/{id}/persons/{p}", any, c.personPage)
	c.route("GET /plans/{id}/items/{n}", any, c.itemPage)
	c.route("GET /plans/{id}/items/{n}/folder/{depth}", any, c.folderPage)
	c.route("GET /plans/{id}/items/{n}/proof", any, c.proofPage)
	c.route("POST /plans/{id}/exclude", reviewer, c.selectItems(true))
	c.route("POST /plans/{id}/include", reviewer, c.selectItems(false))
	c.route("POST /plans/{id}/approve", approver, c.approve)
	c.route("POST /plans/{id}/reject", approver, c.reject)
	c.route("POST /plans/{id}/apply", approver, c.applyNow)

	c.route("GET /review", any, c.reviewPage)
	c.route("GET /review/{id}/{n}", reviewer, c.resolvePage)
	c.route("POST /review/{id}/{n}/people", reviewer, c.resolvePeople)
	c.route("POST /review/{id}/{n}/resolve", reviewer, c.resolve)

	c.route("GET /requests", any, c.requestsPage)
	c.route("GET /requests/new", officer, c.newRequestPage)
	c.route("POST /requests/new/people", officer, c.newRequestPeople)
	c.route("POST /requests", officer, c.openRequest)
	c.route("GET /requests/{id}", any, c.requestPage)
	c.route("POST /requests/{id}/answer", officer, c.requestEvent(requests.EventAnswer))
	c.route("POST /requests/{id}/complete", officer, c.requestEvent(requests.EventComplete))
	c.route("POST /requests/{id}/refuse", officer, c.requestEvent(requests.EventRefuse))
	c.route("POST /requests/{id}/package", officer, c.accessPackage)
	c.route("GET /requests/{id}/letter", officer, c.letterPreview)
	c.route("GET /requests/{id}/letter/download", officer, c.letterDownload)

	c.route("GET /holds", any, c.holdsPage)
	c.route("POST /holds/people", officer, c.holdPeople)
	c.route("POST /holds", officer, c.addHold)
	c.route("POST /holds/{id}/release", officer, c.releaseHold)

	c.route("GET /ledger", any, c.ledgerPage)
	c.route("GET /ledger/proof", any, c.ledgerProof)
}
