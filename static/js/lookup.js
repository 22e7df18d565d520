// The forms' searched lookups (HS codes, administrative divisions): an ARIA 1.2 combobox over a small
// JSON endpoint (sharing/lookup_views.py). Typing searches by the start of the code or part of the
// name; ArrowDown/ArrowUp move through the options, Enter takes one, Escape closes the list. Lines added
// later get theirs on first focus. No inline script: CSP allows static files only.
(function () {
  "use strict";

  var count = 0;

  function setUp(input) {
    if (input.dataset.lookupReady) return;
    input.dataset.lookupReady = "1";
    count += 1;
    var list = document.createElement("ul");
    // Not derived from the input's id: the lines' ids are renumbered when a line is removed.
    list.id = "lookup-listbox-" + count;
    list.className = "lookup-options";
    list.setAttribute("role", "listbox");
    list.hidden = true;
    // Named apart from its field, so that the field alone answers to the field's label.
    var chinese = (document.documentElement.lang || "").toLowerCase().indexOf("zh") === 0;
    list.setAttribute("aria-label", chinese ? "候选项" : "Suggestions");
    input.setAttribute("aria-controls", list.id);
    input.insertAdjacentElement("afterend", list);
    var timer = null;
    var active = -1;
    var asked = 0;

    function options() { return list.querySelectorAll("[role='option']"); }

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function mark(index) {
      var all = options();
      if (!all.length) return;
      active = (index + all.length) % all.length;
      all.forEach(function (option, i) { option.setAttribute("aria-selected", i === active ? "true" : "false"); });
      input.setAttribute("aria-activedescendant", all[active].id);
      all[active].scrollIntoView({ block: "nearest" });
    }

    function choose(option) {
      input.value = option.dataset.code;
      close();
      input.dispatchEvent(new Event("input", { bubbles: true }));
    }

    function show(results) {
      list.textContent = "";
      results.forEach(function (found, i) {
        var option = document.createElement("li");
        option.id = list.id + "-" + i;
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        option.dataset.code = found.code;
        option.textContent = found.code + " " + found.name;
        list.appendChild(option);
      });
      active = -1;
      var open = results.length > 0;
      list.hidden = !open;
      input.setAttribute("aria-expanded", open ? "true" : "false");
    }

    function search() {
      var mine = ++asked;
      var url = input.dataset.lookup + "?q=" + encodeURIComponent(input.value.trim());
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (answer) { return answer.ok ? answer.json() : { results: [] }; })
        .then(function (data) { if (mine === asked) show(data.results || []); })
        .catch(function () { close(); });
    }

    input.addEventListener("input", function (event) {
      if (!event.isTrusted) return; // our own event after a choice
      clearTimeout(timer);
      timer = setTimeout(search, 200);
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        if (list.hidden) { search(); return; }
        mark(active + (event.key === "ArrowDown" ? 1 : -1));
      } else if (event.key === "Enter" && !list.hidden && active >= 0) {
        event.preventDefault(); // take the option, do not submit the form
        choose(options()[active]);
      } else if (event.key === "Escape" && !list.hidden) {
        event.preventDefault();
        close();
      }
    });
    input.addEventListener("blur", function () { setTimeout(close, 150); });
    list.addEventListener("mousedown", function (event) {
      var option = event.target.closest("[role='option']");
      if (option) {
        event.preventDefault(); // keep the focus in the input
        choose(option);
      }
    });
  }

  document.addEventListener("focusin", function (event) {
    var input = event.target;
    if (input.matches && input.matches("input[data-lookup]")) setUp(input);
  });
})();
