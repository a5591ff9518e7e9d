/* POSC Tracker: small form comforts (no framework). */
(function () {
  "use strict";

  // Focus the first invalid field of a form that came back with errors.
  function focusFirstInvalid() {
    var field = document.querySelector(
      ".posc-form .is-invalid, .posc-form [aria-invalid='true'], .posc-form .was-invalid input, .posc-form .was-invalid select");
    if (field) {
      field.focus({preventScroll: false});
      if (field.scrollIntoView) field.scrollIntoView({block: "center"});
    }
  }

  function parseAmount(text) {
    var cleaned = String(text || "").replace(/[,，、\s\u00a0\u3000¥￥元]/g, "");
    if (cleaned === "" || isNaN(Number(cleaned))) return null;
    return Number(cleaned);
  }

  function formatAmount(value) {
    return value.toLocaleString("en-US", {minimumFractionDigits: 2, maximumFractionDigits: 2});
  }

  // Amount inputs: show thousands separators when the field is left.
  function setUpMoneyInputs(root) {
    (root || document).querySelectorAll("input.money-input").forEach(function (input) {
      if (input.dataset.poscMoney) return;
      input.dataset.poscMoney = "1";
      input.addEventListener("blur", function () {
        var value = parseAmount(input.value);
        if (value !== null) input.value = formatAmount(value);
      });
    });
  }

  // start_on follows signed_on while it is empty or still equal to the previous signed_on.
  function setUpStartDefault() {
    var signed = document.getElementById("id_signed_on");
    var start = document.getElementById("id_start_on");
    if (!signed || !start) return;
    var previous = signed.value;
    signed.addEventListener("change", function () {
      if (!start.value || start.value === previous) start.value = signed.value;
      previous = signed.value;
    });
  }

  // Inline formsets: "add row" clones the empty form template, "remove" ticks DELETE (or drops a new row).
  function setUpFormsets() {
    document.querySelectorAll("[data-formset]").forEach(function (box) {
      var prefix = box.dataset.formset;
      var total = document.getElementById("id_" + prefix + "-TOTAL_FORMS");
      var template = box.querySelector("template.empty-form");
      var body = box.querySelector("tbody");
      var addButton = box.querySelector("[data-formset-add]");
      if (!total || !template || !body) return;

      function bindRow(row) {
        var remove = row.querySelector("[data-formset-remove]");
        if (!remove) return;
        remove.addEventListener("click", function () {
          var del = row.querySelector("input[name$='-DELETE']");
          var idField = row.querySelector("input[name$='-id']");
          if (idField && idField.value) {
            if (del) del.checked = !del.checked;
            row.classList.toggle("removed", del && del.checked);
          } else {
            if (del) del.checked = true;
            row.classList.add("removed");
            row.hidden = true;
          }
          updateTotals();
        });
      }
      box.querySelectorAll(".formset-row").forEach(bindRow);
      if (addButton) {
        addButton.addEventListener("click", function () {
          var index = parseInt(total.value, 10);
          var html = template.innerHTML.replace(/__prefix__/g, String(index));
          body.insertAdjacentHTML("beforeend", html);
          total.value = String(index + 1);
          var row = body.lastElementChild;
          bindRow(row);
          setUpMoneyInputs(row);
          row.querySelectorAll("input.money-input").forEach(function (i) { i.addEventListener("input", updateTotals); });
          var first = row.querySelector("select, input:not([type=hidden])");
          if (first) first.focus();
        });
      }
    });
  }

  // Live sum of the payments against the contract amount (the server warns again after saving).
  function updateTotals() {
    var out = document.getElementById("payments-total");
    var amountInput = document.getElementById("id_amount");
    if (!out || !amountInput) return;
    var sum = 0;
    document.querySelectorAll("[data-formset] .formset-row").forEach(function (row) {
      var del = row.querySelector("input[name$='-DELETE']");
      if (row.hidden || (del && del.checked)) return;
      var amount = row.querySelector("input[name$='-amount']");
      var value = amount ? parseAmount(amount.value) : null;
      if (value !== null) sum += value;
    });
    out.textContent = formatAmount(sum);
    var contractAmount = parseAmount(amountInput.value);
    var warning = document.getElementById("payments-exceed");
    if (warning) warning.hidden = !(contractAmount !== null && sum > contractAmount + 0.001);
  }

  // Performance review: preview of the total score and grade (the server derives them again on save).
  function setUpReviewPreview() {
    var box = document.getElementById("review-preview");
    if (!box) return;
    var weights = {output_score: 0.3, quality_score: 0.3, satisfaction_score: 0.2, financial_score: 0.2};
    function update() {
      var total = 0, complete = true;
      Object.keys(weights).forEach(function (name) {
        var input = document.getElementById("id_" + name);
        var value = input ? parseFloat(input.value) : NaN;
        if (isNaN(value) || value < 0 || value > 100) complete = false; else total += weights[name] * value;
      });
      var totalOut = box.querySelector("[data-preview-total]");
      var gradeOut = box.querySelector("[data-preview-grade]");
      if (!complete) { totalOut.textContent = "—"; gradeOut.textContent = "—"; return; }
      total = Math.round(total * 100 + 1e-9) / 100;
      var grade = total >= 90 ? "excellent" : total >= 80 ? "good" : total >= 60 ? "pass" : "fail";
      totalOut.textContent = total.toFixed(2);
      gradeOut.textContent = box.dataset["grade" + grade.charAt(0).toUpperCase() + grade.slice(1)];
    }
    Object.keys(weights).forEach(function (name) {
      var input = document.getElementById("id_" + name);
      if (input) input.addEventListener("input", update);
    });
    update();
  }

  document.addEventListener("DOMContentLoaded", function () {
    setUpReviewPreview();
    setUpMoneyInputs(document);
    setUpStartDefault();
    setUpFormsets();
    document.querySelectorAll("[data-formset] input.money-input, #id_amount").forEach(function (i) {
      i.addEventListener("input", updateTotals);
    });
    updateTotals();
    focusFirstInvalid();
  });
})();
