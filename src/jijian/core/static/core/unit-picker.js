// jijian: the unit picker (core.forms.UnitSelect). A <select data-unit-picker> of org units gets a
// search box above it; typing a name, part of one, or pinyin initials ("lsz" for 厉山镇) narrows the
// options to the matching units, and a single match is chosen. Nothing is sent to the server and
// nothing else of the form changes. Without JavaScript the select works as it is. When the attribute
// names an input (data-unit-picker="unit_q"), that input is the search box (the account form's, whose
// button also searches every unit on the server); otherwise one is made here.
(function () {
  "use strict";
  function norm(text) {
    return (text || "").replace(/[\s\u3000]+/g, "").toLowerCase();
  }

  function enhance(select) {
    var box = document.getElementById(select.getAttribute("data-unit-picker") || "");
    if (!box) {
      box = document.createElement("input");
      box.type = "search";
      box.id = select.id + "_filter";
      box.className = "unit-picker-search";
      box.autocomplete = "off";
      box.placeholder = gettext("名称或拼音首字母，如 lsz");
      box.setAttribute("aria-label", gettext("筛选单位：输入名称或拼音首字母"));
      select.parentNode.insertBefore(box, select);
    }
    box.setAttribute("aria-controls", select.id);
    var status = document.createElement("p");
    status.className = "hint unit-picker-status";
    status.setAttribute("role", "status");
    status.setAttribute("aria-live", "polite");
    select.parentNode.insertBefore(status, select.nextSibling);
    var all = Array.prototype.slice.call(select.options);

    function matches(option, q) {
      if (!q || !option.value) { return true; }  // the empty choice ("请选择") always stays
      var initials = (option.getAttribute("data-initials") || "").toLowerCase();
      return norm(option.text).indexOf(q) !== -1 || (initials !== "" && initials.indexOf(q) === 0);
    }

    function filter() {
      var q = norm(box.value);
      var chosen = select.value;
      var shown = all.filter(function (option) { return matches(option, q); });
      var units = shown.filter(function (option) { return option.value; });
      while (select.firstChild) { select.removeChild(select.firstChild); }
      shown.forEach(function (option) { select.appendChild(option); });
      var keep = units.some(function (option) { return option.value === chosen; });
      var next = units.length === 1 && q ? units[0].value : (keep ? chosen : "");
      select.value = next;
      if (next !== chosen) { select.dispatchEvent(new Event("change", { bubbles: true })); }
      if (!q) {
        status.textContent = "";
      } else if (!units.length) {
        status.textContent = interpolate(gettext("没有与“%(query)s”相符的单位"), { query: box.value.trim() }, true);
      } else if (units.length === 1) {
        status.textContent = interpolate(gettext("已选中：%(unit)s"), { unit: units[0].text.trim() }, true);
      } else {
        status.textContent = interpolate(gettext("找到 %(count)s 个单位，请在下拉列表中选择"), { count: units.length }, true);
      }
    }

    box.addEventListener("input", filter);
    box.addEventListener("search", filter);
    // Enter narrows the list instead of submitting the form it sits in.
    box.addEventListener("keydown", function (event) {
      if (event.key === "Enter") {
        event.preventDefault();
        filter();
        select.focus();
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("select[data-unit-picker]"), enhance);
  });
})();
