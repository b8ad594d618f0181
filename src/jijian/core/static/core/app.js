// jijian: behaviour that needs no inline script (the CSP forbids it).
// The scripts' words come from the translation catalogue (/jsi18n/, loaded before every script). A
// page whose catalogue did not arrive (a flaky link, a manual page kept offline before the catalogue
// was kept with it) still works, in the source language.
if (typeof window.gettext !== "function") {
  window.gettext = function (text) { return text; };
}
if (typeof window.interpolate !== "function") {
  window.interpolate = function (format, values) {
    return format.replace(/%\(\w+\)s/g, function (name) { return String(values[name.slice(2, -2)]); });
  };
}
document.addEventListener("htmx:responseError", function (event) {
  var status = event.detail.xhr.status;
  var msg = status === 404 ? gettext("记录不存在或不在您的权限范围内") : status === 403 ? gettext("无权执行此操作") : gettext("请求失败，请稍后重试");
  window.alert(msg);
});
document.addEventListener("htmx:sendError", function () {
  window.alert(gettext("网络连接中断，请检查网络后重试"));
});
// A page that comes back with form errors: bring the first of them (the summary at the top where
// the form has one) into view and give it focus, so the reason a form was refused is never off
// screen at the bottom of a page that reloaded at the top. Every form that marks its errors.
document.addEventListener("DOMContentLoaded", function () {
  var first = document.getElementById("error-summary") ||
    document.querySelector("main form .errors, main form .has-error, main .errors[role=alert]");
  if (!first) { return; }
  if (!first.hasAttribute("tabindex")) { first.setAttribute("tabindex", "-1"); }
  first.scrollIntoView({ block: "start" });
  first.focus({ preventScroll: true });
});
// A live search box (type=search, answering through HTMX as one types) searches on Enter without
// submitting the form it belongs to: that form is the no-JavaScript fallback, a GET that reloads
// the page and would lose what was typed in the form around it (a note, a ticked box).
document.addEventListener("keydown", function (event) {
  var box = event.target;
  if (event.key !== "Enter" || !box.matches || !box.matches("input[type=search][hx-get]")) { return; }
  event.preventDefault();
  if (window.htmx) { window.htmx.trigger(box, "search"); }
});
