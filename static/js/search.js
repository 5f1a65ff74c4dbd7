// The global search: suggestions as you type and keyboard navigation, after the ARIA combobox
// pattern (a text box that controls a listbox popup). Without this script the box is a plain
// form that opens the results page.
(function () {
  "use strict";

  var DEBOUNCE_MS = 200;
  var MIN_TERM_LENGTH = 2;

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text; // text only: nothing the server sent is parsed as markup
    return node;
  }

  function combobox(form) {
    var input = form.querySelector(".global-search-input");
    var listbox = form.querySelector(".global-search-listbox");
    var status = form.querySelector(".global-search-status");
    var suggestionsUrl = form.getAttribute("data-suggestions-url");
    var timer = null;
    var pending = null;
    var shownTerm = null;
    var options = [];
    var active = -1;

    function isOpen() {
      return !listbox.hidden;
    }

    function open() {
      if (!options.length) return;
      listbox.hidden = false;
      input.setAttribute("aria-expanded", "true");
    }

    function close() {
      listbox.hidden = true;
      input.setAttribute("aria-expanded", "false");
      activate(-1);
    }

    function activate(index) {
      if (active >= 0 && options[active]) {
        options[active].classList.remove("is-active");
        options[active].setAttribute("aria-selected", "false");
      }
      active = index;
      if (index < 0) {
        input.removeAttribute("aria-activedescendant");
        return;
      }
      var option = options[index];
      option.classList.add("is-active");
      option.setAttribute("aria-selected", "true");
      input.setAttribute("aria-activedescendant", option.id);
      option.scrollIntoView({ block: "nearest" });
    }

    function option(label, detail, url) {
      var node = element("div", "global-search-option");
      node.id = "global-search-option-" + options.length;
      node.setAttribute("role", "option");
      node.setAttribute("aria-selected", "false");
      node.setAttribute("data-url", url);
      node.appendChild(element("span", "global-search-option-label", label));
      if (detail) node.appendChild(element("span", "global-search-option-detail", detail));
      options.push(node);
      return node;
    }

    function render(data) {
      listbox.textContent = "";
      options = [];
      active = -1;
      var found = 0;
      data.groups.forEach(function (group, g) {
        var list = element("ul", "global-search-group");
        var labelId = "global-search-group-" + g;
        list.setAttribute("role", "group");
        list.setAttribute("aria-labelledby", labelId);
        var heading = element("li", "global-search-group-label", group.label);
        heading.id = labelId;
        heading.setAttribute("role", "presentation");
        list.appendChild(heading);
        group.hits.forEach(function (hit) {
          var item = option(hit.label, hit.detail, hit.url);
          var wrapper = element("li");
          wrapper.setAttribute("role", "none");
          wrapper.appendChild(item);
          list.appendChild(wrapper);
          found += 1;
        });
        listbox.appendChild(list);
      });
      if (data.all_url) {
        var text = found ? "All results for “" + data.term + "”" : "Nothing suggested: search for “" + data.term + "”";
        var all = option(text, "", data.all_url);
        all.classList.add("global-search-all");
        listbox.appendChild(all);
      }
      status.textContent = found === 1 ? "1 suggestion" : (found ? found + " suggestions" : "No suggestions");
      shownTerm = data.term;
      if (document.activeElement === input) open();
    }

    function suggest() {
      var term = input.value.trim();
      if (term.length < MIN_TERM_LENGTH) {
        if (pending) pending.abort();
        options = [];
        listbox.textContent = "";
        shownTerm = null;
        close();
        return;
      }
      if (term === shownTerm) {
        open();
        return;
      }
      if (pending) pending.abort();
      pending = new AbortController();
      fetch(suggestionsUrl + "?q=" + encodeURIComponent(term), {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
        signal: pending.signal,
      })
        .then(function (response) {
          if (!response.ok) throw new Error("suggestions answered " + response.status);
          return response.json();
        })
        .then(function (data) {
          if (input.value.trim() === term) render(data);
        })
        .catch(function (error) {
          if (error.name !== "AbortError") close(); // the form still opens the results page
        });
    }

    function go(index) {
      window.location.assign(options[index].getAttribute("data-url"));
    }

    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(suggest, DEBOUNCE_MS);
    });

    input.addEventListener("keydown", function (event) {
      switch (event.key) {
        case "ArrowDown":
          event.preventDefault();
          if (!isOpen()) {
            open();
            if (isOpen()) activate(0);
          } else if (options.length) {
            activate((active + 1) % options.length);
          }
          break;
        case "ArrowUp":
          event.preventDefault();
          if (!isOpen()) {
            open();
            if (isOpen()) activate(options.length - 1);
          } else if (options.length) {
            activate(active <= 0 ? options.length - 1 : active - 1);
          }
          break;
        case "Enter":
          if (isOpen() && active >= 0) {
            event.preventDefault();
            go(active);
          }
          break;
        case "Escape":
          if (isOpen()) {
            event.preventDefault();
            close();
          } else if (input.value) {
            event.preventDefault();
            input.value = "";
            shownTerm = null;
            options = [];
          }
          break;
        case "Tab":
          close();
          break;
      }
    });

    input.addEventListener("blur", close);
    input.addEventListener("focus", function () {
      if (input.value.trim() === shownTerm) open();
    });
    // Keep the focus in the box while an option is clicked, so the click is not lost to blur.
    listbox.addEventListener("mousedown", function (event) {
      event.preventDefault();
    });
    listbox.addEventListener("click", function (event) {
      var target = event.target.closest(".global-search-option");
      if (target) go(options.indexOf(target));
    });
  }

  function start() {
    var forms = document.querySelectorAll("form.global-search[data-suggestions-url]");
    Array.prototype.forEach.call(forms, combobox);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
