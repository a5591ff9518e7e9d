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
            remove.setAttribute("aria-pressed", del && del.checked ? "true" : "false");
          } else {
            if (del) del.checked = true;
            row.classList.add("removed");
            // A new row disappears: move the focus to the next visible row's first field, else the previous
            // row's, else the "add" button, so that the keyboard user is not dropped at the top of the page.
            var target = null, sibling = row.nextElementSibling;
            while (sibling && sibling.hidden) sibling = sibling.nextElementSibling;
            if (!sibling) {
              sibling = row.previousElementSibling;
              while (sibling && sibling.hidden) sibling = sibling.previousElementSibling;
            }
            if (sibling) target = sibling.querySelector("select, input:not([type=hidden]):not([type=checkbox])");
            row.hidden = true;
            (target || addButton || box).focus();
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
    announceTotal(formatAmount(sum));
  }

  // The total is announced (role=status) once typing pauses, not at every keystroke.
  var announceTimer = null, announced = null;
  function announceTotal(text) {
    var status = document.getElementById("payments-status");
    if (!status) return;
    if (announced === null) { announced = text; return; }  // the page's first computation is not news
    clearTimeout(announceTimer);
    announceTimer = setTimeout(function () {
      if (text === announced) return;
      announced = text;
      status.textContent = (status.dataset.label || "") + ": " + text;
    }, 500);
  }

  // Scrolling containers of wide tables: focusable regions with a name, so that the keyboard can scroll them
  // (WCAG 2.1.1). Only those that do overflow become tab stops; re-checked when the window is resized.
  function setUpScrollRegions() {
    var fallback = document.body.dataset.tableLabel || "Table";
    function nameOf(box) {
      var table = box.querySelector("table");
      if (table && table.getAttribute("aria-label")) return table.getAttribute("aria-label");
      var caption = table && table.querySelector("caption");
      if (caption && caption.textContent.trim()) return caption.textContent.trim();
      var card = box.closest(".card");
      var heading = card && card.querySelector("h1, h2, h3, h4, .section-title");
      if (!heading) {
        var previous = box.previousElementSibling;
        if (previous && /^H[1-6]$/.test(previous.tagName)) heading = previous;
      }
      if (heading && heading.textContent.trim()) return heading.textContent.trim();
      var h1 = document.querySelector("main h1");
      return h1 ? h1.textContent.trim() + " · " + fallback : fallback;
    }
    function update() {
      document.querySelectorAll(".table-responsive, .table-container").forEach(function (box) {
        var scrolls = box.scrollWidth > box.clientWidth + 1 || box.scrollHeight > box.clientHeight + 1;
        if (scrolls) {
          box.setAttribute("tabindex", "0");
          box.setAttribute("role", "region");
          if (!box.getAttribute("aria-label")) box.setAttribute("aria-label", nameOf(box));
        } else if (box.getAttribute("role") === "region") {
          box.removeAttribute("tabindex");
          box.removeAttribute("role");
        }
      });
    }
    update();
    var timer = null;
    window.addEventListener("resize", function () { clearTimeout(timer); timer = setTimeout(update, 150); });
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

  // Choice fields over large sets (posc.forms.LookupSelect): a combobox searching as the user types; the hidden
  // input carries the chosen id. Keyboard: ↓/↑ move, Enter picks, Escape closes.
  function setUpLookups(root) {
    (root || document).querySelectorAll(".posc-lookup").forEach(function (box) {
      if (box.dataset.poscLookup) return;
      box.dataset.poscLookup = "1";
      var input = box.querySelector("[data-lookup-input]");
      var hidden = box.querySelector("[data-lookup-value]");
      var list = box.querySelector("[role=listbox]");
      var none = box.querySelector("[data-lookup-none]");
      var status = box.querySelector("[data-lookup-status]");
      if (!input || !hidden || !list) return;
      function say(text) { if (status) status.textContent = text; }
      var chosenLabel = input.value, items = [], active = -1, timer = null, serial = 0;

      function close() {
        list.hidden = true;
        if (none) none.hidden = true;
        input.setAttribute("aria-expanded", "false");
        input.removeAttribute("aria-activedescendant");
        active = -1;
      }
      function highlight(index) {
        var options = list.querySelectorAll("[role=option]");
        if (!options.length) return;
        active = (index + options.length) % options.length;
        options.forEach(function (option, i) {
          option.classList.toggle("active", i === active);
          option.setAttribute("aria-selected", i === active ? "true" : "false");
        });
        input.setAttribute("aria-activedescendant", options[active].id);
        options[active].scrollIntoView({block: "nearest"});
      }
      function pick(index) {
        var item = items[index];
        if (!item) return;
        hidden.value = String(item.id);
        input.value = chosenLabel = item.label;
        close();
        hidden.dispatchEvent(new Event("change", {bubbles: true}));
      }
      function show(results) {
        items = results;
        list.innerHTML = "";
        results.forEach(function (item, i) {
          var option = document.createElement("li");
          option.id = input.id + "_option_" + i;
          option.className = "list-group-item list-group-item-action";
          option.setAttribute("role", "option");
          option.setAttribute("aria-selected", "false");
          option.textContent = item.label;
          option.addEventListener("mousedown", function (event) { event.preventDefault(); pick(i); });
          list.appendChild(option);
        });
        // "No matches" is a message beside the listbox, never a non-option child of it (ARIA listbox).
        if (!results.length) {
          list.hidden = true;
          if (none) none.hidden = false;
          input.setAttribute("aria-expanded", "false");
          say(box.dataset.lookupEmpty || "");
        } else {
          if (none) none.hidden = true;
          list.hidden = false;
          input.setAttribute("aria-expanded", "true");
          say((box.dataset.lookupCount || "{count}").replace("{count}", String(results.length)));
        }
        input.removeAttribute("aria-activedescendant");
        active = -1;
      }
      function search() {
        var mine = ++serial;
        var url = box.dataset.lookupUrl + "?mode=" + encodeURIComponent(box.dataset.lookupMode || "visible") +
          "&q=" + encodeURIComponent(input.value.trim());
        fetch(url, {headers: {"Accept": "application/json"}, credentials: "same-origin"})
          .then(function (response) { return response.ok ? response.json() : {results: []}; })
          .then(function (data) { if (mine === serial && document.activeElement === input) show(data.results || []); })
          .catch(function () { close(); });
      }
      list.addEventListener("mousedown", function (event) { event.preventDefault(); });  // keep focus (scrollbar)
      input.addEventListener("input", function () {
        if (input.value !== chosenLabel) hidden.value = "";  // typed text is not a choice until one is picked
        clearTimeout(timer);
        timer = setTimeout(search, 200);
      });
      input.addEventListener("keydown", function (event) {
        if (event.key === "ArrowDown" || event.key === "ArrowUp") {
          event.preventDefault();
          if (list.hidden) { search(); return; }  // (also when "No matches" shows: search again)
          highlight(active + (event.key === "ArrowDown" ? 1 : -1));
        } else if (event.key === "Enter" && !list.hidden) {
          event.preventDefault();  // picking an option does not submit the form
          pick(active >= 0 ? active : 0);
        } else if (event.key === "Escape" && !(list.hidden && (!none || none.hidden))) {
          event.preventDefault();
          close();
        }
      });
      input.addEventListener("blur", function () {
        close();
        if (!input.value.trim()) { hidden.value = ""; chosenLabel = ""; }
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    setUpReviewPreview();
    setUpLookups(document);
    setUpMoneyInputs(document);
    setUpStartDefault();
    setUpFormsets();
    document.querySelectorAll("[data-formset] input.money-input, #id_amount").forEach(function (i) {
      i.addEventListener("input", updateTotals);
    });
    updateTotals();
    setUpScrollRegions();
    focusFirstInvalid();
  });
})();
