// The receipt page: a button that copies the 20-digit 查询码 (digits only, without the spaces that
// group them). Hidden without JavaScript; falls back to selecting the code where the clipboard API
// is not available (plain HTTP, old WebViews).
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var button = document.getElementById("copy-code");
    if (!button) return;
    var code = document.getElementById(button.dataset.copy);
    var status = document.getElementById("copy-status");
    button.hidden = false;

    function selectCode() {
      var range = document.createRange();
      range.selectNodeContents(code);
      var selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
      return selection;
    }

    button.addEventListener("click", function () {
      var digits = code.textContent.replace(/\s/g, "");
      var done = function () { status.textContent = gettext("已复制查询码，请粘贴保存到安全的地方。"); };
      var fallback = function () {
        var selection = selectCode();
        var copied = false;
        try { copied = document.execCommand("copy"); } catch (error) { copied = false; }
        if (copied) { selection.removeAllRanges(); done(); }
        else { status.textContent = gettext("无法自动复制：已选中查询码，请长按复制或抄写。"); }
      };
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(digits).then(done, fallback);
      } else {
        fallback();
      }
    });
  });
})();
