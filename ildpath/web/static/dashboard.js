// ildpath dashboard: small conveniences only. Every page works without this file.
//  - The trigger form shows only the fields and the guard of the trigger chosen.
//  - Firing a trigger asks for confirmation first: it moves the patient along the pathway.
"use strict";

(function () {
  // Nothing chosen yet: everything stays shown, as without the script.
  function showFieldsFor(form, select) {
    var chosen = select.value;
    form.querySelectorAll("[data-for-triggers]").forEach(function (wrapper) {
      var wanted = wrapper.getAttribute("data-for-triggers").split(" ");
      var used = chosen === "" || wanted.indexOf(chosen) !== -1;
      wrapper.hidden = !used;
      wrapper.querySelectorAll("input, select, textarea").forEach(function (control) {
        control.disabled = !used;
      });
    });
    form.querySelectorAll("[data-guard-for]").forEach(function (item) {
      item.hidden = chosen !== "" && item.getAttribute("data-guard-for") !== chosen;
    });
  }

  function setUpTriggerForm(form) {
    var select = form.querySelector("[data-trigger-select]");
    if (!select) {
      return;
    }
    select.addEventListener("change", function () {
      showFieldsFor(form, select);
    });
    showFieldsFor(form, select);
    form.addEventListener("submit", function (event) {
      var patient = form.getAttribute("data-patient");
      var option = select.options[select.selectedIndex];
      var named = (option && option.getAttribute("data-label")) || select.value;
      var question =
        "Fire \u201c" + named + "\u201d for patient " + patient + "?\n\n" +
        "This moves the patient along the pathway and is recorded in the audit trail " +
        "with your name.";
      if (!window.confirm(question)) {
        event.preventDefault();
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form.trigger-form").forEach(setUpTriggerForm);
  });
})();
