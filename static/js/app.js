// Shows only the name fields that fit the chosen party kind on the lead form.
// Without JavaScript every field stays visible and the server still validates.
document.addEventListener("DOMContentLoaded", () => {
  const form = document.querySelector("[data-party-form]");
  if (!form) return;
  const kind = form.querySelector("select[name=kind]");
  const sync = () => {
    form.querySelectorAll("[data-kind]").forEach((group) => {
      group.hidden = group.dataset.kind !== kind.value;
    });
  };
  kind.addEventListener("change", sync);
  sync();
});

// Live progress of background jobs: rows with data-progress-url poll it until the job ends.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-progress-url]").forEach((row) => {
    const show = (name, value) => {
      const cell = row.querySelector(`[data-field=${name}]`);
      if (!cell) return;
      if (cell.tagName === "PROGRESS") cell.value = value;
      else cell.textContent = value;
    };
    // A job that has ended makes the page reload once, so the final figures and errors show.
    const poll = async () => {
      const response = await fetch(row.dataset.progressUrl, { headers: { Accept: "application/json" } });
      if (!response.ok) return;
      const job = await response.json();
      show("status_label", job.status_label);
      show("percent", job.percent);
      show("percent_text", `${job.percent} %`);
      for (const [name, value] of Object.entries(job)) {
        if (!["status", "status_label", "percent"].includes(name)) show(name, value);
      }
      if (job.status === "queued" || job.status === "running") setTimeout(poll, 1500);
      else if (row.dataset.reloaded !== "yes") { row.dataset.reloaded = "yes"; window.location.reload(); }
    };
    poll();
  });
});

// Copy buttons: <button data-copy="ID"> copies the text of the element with that id. They stay
// hidden without JavaScript (the text can still be selected by hand); the outcome is announced
// in the [data-copy-status] next to the button.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("button[data-copy]").forEach((button) => {
    const source = document.getElementById(button.dataset.copy);
    if (!source) return;
    const status = button.parentElement.querySelector("[data-copy-status]");
    const say = (text) => { if (status) status.textContent = text; };
    button.hidden = false;
    button.addEventListener("click", async () => {
      const text = source.textContent.trim();
      try {
        await navigator.clipboard.writeText(text);
        say(button.dataset.copied || "Copied.");
      } catch (error) {
        // No clipboard access (a page served over plain http, or refused): select the text
        // so that one key press copies it.
        const range = document.createRange();
        range.selectNodeContents(source);
        const selection = window.getSelection();
        selection.removeAllRanges();
        selection.addRange(range);
        say(button.dataset.copyFailed || "Selected: press Ctrl+C to copy.");
      }
    });
  });
});

// Forms that change something weighty: data-confirm asks first (without JavaScript the button
// still works, and the page beside it says what it does); data-submit-once disables the buttons
// once sent, so a double click sends one request (the server refuses a repeat all the same).
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
    event.preventDefault();
    return;
  }
  if (!("submitOnce" in form.dataset)) return;
  if (form.dataset.sent === "yes") {
    event.preventDefault();
    return;
  }
  form.dataset.sent = "yes";
  // Just after the submit event, so the submission itself is left untouched.
  setTimeout(() => form.querySelectorAll("button").forEach((button) => { button.disabled = true; }));
});
// Back to a page from the browser's cache: its forms may be sent again.
window.addEventListener("pageshow", (event) => {
  if (!event.persisted) return;
  document.querySelectorAll("form[data-submit-once]").forEach((form) => {
    delete form.dataset.sent;
    form.querySelectorAll("button").forEach((button) => { button.disabled = false; });
  });
});

// The main menu on a narrow screen: folded behind the "Menu" button, which says whether it is
// open (aria-expanded). Without JavaScript, or on a wide screen, the menu is simply shown.
document.addEventListener("DOMContentLoaded", () => {
  const toggle = document.querySelector(".menu-toggle");
  const menu = toggle && document.getElementById(toggle.getAttribute("aria-controls"));
  if (!menu) return;
  const narrow = window.matchMedia("(max-width: 720px)");
  const setOpen = (open) => {
    toggle.setAttribute("aria-expanded", String(open));
    menu.hidden = !open;
  };
  const fit = () => {
    toggle.hidden = !narrow.matches;
    setOpen(!narrow.matches);
  };
  toggle.addEventListener("click", () => setOpen(toggle.getAttribute("aria-expanded") !== "true"));
  // Escape, from the button or inside the open menu, folds it and gives the focus back to
  // the button.
  document.addEventListener("keydown", (event) => {
    if (event.key !== "Escape" || !narrow.matches || menu.hidden) return;
    const active = document.activeElement;
    if (active !== toggle && !menu.contains(active)) return;
    setOpen(false);
    toggle.focus();
  });
  narrow.addEventListener("change", fit);
  fit();
});

/* === List tools: select every row of a page (customer list bulk actions) === */
// A header checkbox with data-select-all="NAME" ticks or clears every checkbox of that name
// in its form; it stays hidden without JavaScript, where rows are ticked one by one.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("input[data-select-all]").forEach((all) => {
    const form = all.getAttribute("form");
    const boxes = () => document.querySelectorAll(
      `input[type=checkbox][name="${all.dataset.selectAll}"][form="${form}"]`);
    all.hidden = false;
    all.addEventListener("change", () => boxes().forEach((box) => { box.checked = all.checked; }));
  });
});
/* === end List tools === */
