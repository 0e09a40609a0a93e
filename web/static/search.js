// Suggestions as the user types, on top of a search form that works without this file.
// ARIA combobox: arrows move through the list, Enter picks, Escape closes.
(function () {
  "use strict";
  document.documentElement.classList.add("js");  // lets tests and styles tell the enhanced page
  var form = document.querySelector("form.search");
  if (!form || !window.fetch) return;
  var input = form.querySelector("#q");
  var list = form.querySelector("#suggestions");
  var endpoint = form.getAttribute("data-suggest");
  var timer = null, active = -1, latest = 0;

  function options() { return list.querySelectorAll("[role=option]"); }

  function close() {
    list.hidden = true;
    list.textContent = "";
    active = -1;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
  }

  function highlight(index) {
    var items = options();
    if (!items.length) return;
    active = (index + items.length) % items.length;
    for (var i = 0; i < items.length; i++) items[i].setAttribute("aria-selected", i === active ? "true" : "false");
    input.setAttribute("aria-activedescendant", items[active].id);
  }

  function choose(text) {
    input.value = text;
    close();
    form.submit();
  }

  function show(words) {
    close();
    if (!words.length) return;
    words.forEach(function (word, i) {
      var li = document.createElement("li");
      li.id = "suggestion-" + i;
      li.setAttribute("role", "option");
      li.setAttribute("aria-selected", "false");
      li.textContent = word;  // text, never markup
      // mousedown, not click: fires before the input loses focus
      li.addEventListener("mousedown", function (event) { event.preventDefault(); choose(word); });
      list.appendChild(li);
    });
    list.hidden = false;
    input.setAttribute("aria-expanded", "true");
  }

  function fetchSuggestions() {
    var text = input.value;
    if (!/\w$/.test(text)) { close(); return; }
    var ticket = ++latest;
    fetch(endpoint + "?q=" + encodeURIComponent(text), { headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : []; })
      .then(function (words) { if (ticket === latest && input.value === text) show(words); })
      .catch(function () { close(); });
  }

  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(fetchSuggestions, 120);
  });
  input.addEventListener("keydown", function (event) {
    var open = !list.hidden;
    if (event.key === "ArrowDown" && open) { highlight(active + 1); event.preventDefault(); }
    else if (event.key === "ArrowUp" && open) { highlight(active - 1); event.preventDefault(); }
    else if (event.key === "Escape" && open) { close(); event.preventDefault(); }
    else if (event.key === "Enter" && open && active >= 0) { event.preventDefault(); choose(options()[active].textContent); }
  });
  input.addEventListener("blur", function () { setTimeout(close, 100); });
})();
