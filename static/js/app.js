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
