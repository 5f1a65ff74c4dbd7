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
