// retentiond console: the little script there is (no inline script: CSP).
// It only adds comfort; every page works without it.
"use strict";
document.addEventListener("submit", function (e) {
  var b = e.submitter;
  var msg = (b && b.dataset.confirm) || (e.target.dataset && e.target.dataset.confirm);
  if (msg && !window.confirm(msg)) {
    e.preventDefault();
  }
});
document.addEventListener("change", function (e) {
  var t = e.target;
  if (t.id === "select-all" && t.form) {
    t.form.querySelectorAll('input[type=checkbox][name=item]').forEach(function (c) { c.checked = t.checked; });
  }
});
