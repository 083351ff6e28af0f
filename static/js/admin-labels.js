// The admin's autocomplete boxes (select2) are spans with role=combobox that carry no name of
// their own: a screen reader announces an unnamed combobox. Each takes the name of the <select>
// it stands for (its aria-label, set on tabular inlines' cells, or its <label>). Boxes appear
// after load and when an inline row is added, so new ones are named as they arrive.
(function () {
  "use strict";
  function nameOf(select) {
    if (select.getAttribute("aria-label")) { return select.getAttribute("aria-label"); }
    var label = select.id && document.querySelector("label[for='" + select.id + "']");
    return label ? label.textContent.replace(/:\s*$/, "").trim() : "";
  }
  function nameBoxes(root) {
    root.querySelectorAll(".select2-container").forEach(function (container) {
      var select = container.previousElementSibling;
      var box = container.querySelector(".select2-selection[role=combobox]");
      if (!box || !select || select.tagName !== "SELECT" || box.getAttribute("aria-label")) { return; }
      var name = nameOf(select);
      if (!name) { return; }
      box.setAttribute("aria-label", name);
      // The box's shown value is a span with role=textbox: it is named the same.
      var shown = box.querySelector(".select2-selection__rendered");
      if (shown) { shown.setAttribute("aria-label", name); }
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    nameBoxes(document);
    new MutationObserver(function () { nameBoxes(document); }).observe(document.body, { childList: true, subtree: true });
  });
})();
