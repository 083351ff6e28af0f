// Behaviour every page shares, from a static file: the Content-Security-Policy lets no inline
// script or event handler run. A select marked data-autosubmit sends its form when changed
// (the language and unit switches); without JavaScript their <noscript> button does it.
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target && target.matches && target.matches("select[data-autosubmit]") && target.form) {
      target.form.submit();
    }
  });
})();
