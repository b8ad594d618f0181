// Review queue: "select all on this page" for the batch approval (no inline script: CSP).
document.addEventListener("change", function (event) {
  var box = event.target;
  if (!box.matches || !box.matches("input[data-select-all]")) return;
  var name = box.getAttribute("data-select-all");
  document.querySelectorAll('input[type=checkbox][name="' + name + '"]').forEach(function (other) {
    other.checked = box.checked;
  });
});

// Review page: Enter in a score goes on to the next score (then the comment) instead of submitting
// the form, whose only button approves the report and moves on — with the other scores still empty.
document.addEventListener("keydown", function (event) {
  var field = event.target;
  if (event.key !== "Enter" || event.isComposing || !field.matches || !field.matches("input[data-score]")) return;
  event.preventDefault();
  var fields = Array.prototype.slice.call(field.form.querySelectorAll("input[data-score], textarea"));
  var next = fields[fields.indexOf(field) + 1];
  if (next) next.focus();
});

// Batch approval: one tap approves up to a page of reports, so it asks first, naming how many.
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (form.id !== "batch-form") return;
  var ticked = document.querySelectorAll('input[type=checkbox][name="report"][form="batch-form"]:checked').length;
  if (ticked && !window.confirm(interpolate(gettext("确定审核通过所选的 %(count)s 份月报吗？通过后月报即锁定。"), { count: ticked }, true))) event.preventDefault();
});
