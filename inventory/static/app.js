// Minimal progressive enhancement; every page works without it.
(function () {
  "use strict";
  // Confirmation before destructive actions: <form data-confirm="..."> or a submit button
  // with data-confirm (e.g. removing a distribution row inside the wizard form).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var button = event.submitter;
    var message = (button && button.getAttribute("data-confirm")) ||
      (form.getAttribute && form.getAttribute("data-confirm"));
    if (message && !window.confirm(message)) {
      event.preventDefault();
      return;
    }
    form.setAttribute("data-submitting", "1");
  });
  // Focus the error summary (or the conflict notice) so screen readers announce it; its links
  // move the focus to the field they name, not only the scroll position.
  var summary = document.getElementById("error-summary") || document.getElementById("conflict");
  if (summary) { summary.focus(); }
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest(".error-summary a, #problems a, #conflict th a");
    var hash = link && link.getAttribute("href");
    if (!hash || hash.charAt(0) !== "#") { return; }
    var target = document.getElementById(hash.slice(1));
    var input = target && target.querySelector("input:not([type=hidden]), select, textarea");
    if (input) { event.preventDefault(); target.scrollIntoView(); input.focus(); }
  });

  // Wizard: questions shown only for some answers (restriction grounds when the data are
  // restricted). The server renders them hidden or not; this only follows the choice live.
  document.querySelectorAll("[data-show-when]").forEach(function (section) {
    var form = section.closest("form");
    var name = section.getAttribute("data-show-when");
    var values = section.getAttribute("data-show-values").split(" ");
    var flag = form.querySelector("input[name='" + section.getAttribute("data-shown-flag") + "']");
    function update() {
      var checked = form.querySelector("input[name='" + name + "']:checked");
      var show = !!checked && values.indexOf(checked.value) !== -1;
      section.hidden = !show;
      if (show && flag) { flag.value = "1"; }
    }
    form.addEventListener("change", function (event) {
      if (event.target.name === name) { update(); }
    });
  });

  // Wizard: the media type follows the chosen format.
  document.addEventListener("change", function (event) {
    var select = event.target;
    var outputId = select.getAttribute && select.getAttribute("data-media-type-output");
    var output = outputId && document.getElementById(outputId);
    if (!output) { return; }
    var option = select.options[select.selectedIndex];
    var media = option && option.getAttribute("data-media-type");
    output.textContent = media || (select.value ? output.getAttribute("data-none") : "—");
  });

  // Wizard: warn before leaving a step with unsaved input (saving buttons are not leaving).
  var wizard = document.getElementById("wizard-form");
  if (wizard && wizard.hasAttribute("data-unsaved-warning")) {
    var dirty = false;
    wizard.addEventListener("input", function () { dirty = true; });
    wizard.addEventListener("change", function () { dirty = true; });
    window.addEventListener("beforeunload", function (event) {
      if (dirty && !wizard.hasAttribute("data-submitting")) {
        event.preventDefault();
        event.returnValue = wizard.getAttribute("data-unsaved-warning");
      }
    });
  }
})();
