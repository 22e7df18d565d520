// The document forms: lines added and removed (a Django formset, renumbered so the rows stay
// items-0..n-1), line totals and the document's totals computed as the clerk types, and the error
// summary focused so a screen reader reads it first. No inline script: CSP allows static files only.
(function () {
  "use strict";

  function number(input) {
    if (!input || input.value.trim() === "") return 0;
    var value = parseFloat(input.value);
    return isNaN(value) ? 0 : value;
  }

  function field(scope, name) {
    return scope.querySelector("[name$='-" + name + "'], [name='" + name + "']");
  }

  function renumber(box) {
    var prefix = box.dataset.prefix;
    var lines = box.querySelectorAll("[data-line-list] > [data-line]");
    lines.forEach(function (line, index) {
      var pattern = new RegExp(prefix + "-(\\d+|__prefix__)-");
      line.querySelectorAll("[name], [id], [for], [aria-describedby]").forEach(function (el) {
        ["name", "id", "for", "aria-describedby"].forEach(function (attr) {
          var value = el.getAttribute(attr);
          if (value) el.setAttribute(attr, value.replace(new RegExp(pattern.source, "g"), prefix + "-" + index + "-"));
        });
      });
      var legend = line.querySelector("legend");
      var remove = line.querySelector("[data-line-remove]");
      [legend, remove].forEach(function (el) {
        if (el) el.textContent = el.textContent.replace(/\d+|__number__/, String(index + 1));
      });
      if (remove) remove.hidden = lines.length < 2;
    });
    box.querySelector("[name='" + prefix + "-TOTAL_FORMS']").value = String(lines.length);
  }

  function round2(value) {
    return (Math.round(value * 100) / 100).toFixed(2);
  }

  function totals(form) {
    var goods = 0;
    form.querySelectorAll("[data-line]").forEach(function (line) {
      if (line.closest("template")) return;
      goods += number(field(line, "total_price"));
    });
    var head = function (name) { return number(form.querySelector("[name='" + name + "']")); };
    var goodsValue = form.querySelector("[name='goods_value']");
    if (goodsValue) goodsValue.value = round2(goods);
    var paid = goods + head("freight") + head("insured_fee") - head("discount") + head("tax_total");
    var actualPaid = form.querySelector("[name='actual_paid']");
    if (actualPaid) actualPaid.value = round2(paid);
    var box = form.querySelector("[data-totals]");
    if (box) {
      box.hidden = false;
      box.querySelector("[data-total='goods']").textContent = round2(goods);
      box.querySelector("[data-total='paid']").textContent = round2(paid);
    }
  }

  function lineInput(event, form) {
    var line = event.target.closest("[data-line]");
    var name = event.target.name || "";
    if (line && (/-qty$/.test(name) || /-price$/.test(name))) {
      var qty = field(line, "qty");
      var price = field(line, "price");
      var total = field(line, "total_price");
      if (total && qty && price && qty.value !== "" && price.value !== "") {
        total.value = round2(number(qty) * number(price));
      }
    }
    if (line || /^(freight|insured_fee|discount|tax_total)$/.test(name)) totals(form);
  }

  function setUp(form) {
    var box = form.querySelector("[data-lines]");
    if (box) {
      var list = box.querySelector("[data-line-list]");
      var template = box.querySelector("[data-line-template]");
      box.querySelector("[data-line-add]").addEventListener("click", function () {
        var fresh = template.content.firstElementChild.cloneNode(true);
        list.appendChild(fresh);
        renumber(box);
        var first = fresh.querySelector("input, select");
        if (first) first.focus();
      });
      box.addEventListener("click", function (event) {
        var button = event.target.closest("[data-line-remove]");
        if (!button) return;
        var lines = list.querySelectorAll("[data-line]");
        if (lines.length < 2) return;
        button.closest("[data-line]").remove();
        renumber(box);
        totals(form);
        var add = box.querySelector("[data-line-add]");
        if (add) add.focus();
      });
      renumber(box);
    }
    form.addEventListener("input", function (event) { lineInput(event, form); });
    var summary = form.querySelector("#error-summary");
    if (summary) {
      summary.focus();
      // A link of the summary puts the cursor in the field it names, not only the scroll.
      summary.addEventListener("click", function (event) {
        var link = event.target.closest("a[href^='#']");
        var target = link && document.getElementById(link.getAttribute("href").slice(1));
        if (target) {
          event.preventDefault();
          target.scrollIntoView({ block: "center" });
          target.focus();
        }
      });
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-document-form]").forEach(setUp);
  });
})();
