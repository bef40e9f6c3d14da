// Parts of a form that belong to one choice are shown only while that choice is made: the
// follow-up of an outcome (nurture date, disqualify reason, the right number), the fields of
// a bulk action, the outcomes of the channel picked. Without this script every part shows,
// and the server asks for what the choice needs either way.
document.addEventListener("DOMContentLoaded", () => {
  const show = (el, on) => { el.hidden = !on; };
  document.querySelectorAll("form").forEach((form) => {
    const outcome = form.querySelector("select[name=outcome]");
    const type = form.querySelector("select[name=type]");
    const action = form.querySelector("select[name=action]");
    const sync = () => {
      const step = form.querySelector("input[name=next_step]:checked");
      form.querySelectorAll("[data-when-outcome]").forEach((el) =>
        show(el, outcome && outcome.value === el.dataset.whenOutcome));
      form.querySelectorAll("[data-when-step]").forEach((el) =>
        show(el, step && step.value === el.dataset.whenStep));
      form.querySelectorAll(".bulk-when").forEach((el) =>
        show(el, action && action.value === el.dataset.for));
      if (type && outcome) {
        const label = type.options[type.selectedIndex].text;
        outcome.querySelectorAll("optgroup").forEach((group) => {
          const mine = group.label === label;
          group.hidden = !mine;
          group.disabled = !mine;
        });
        const chosen = outcome.options[outcome.selectedIndex];
        if (!chosen || chosen.parentElement.disabled) {
          const first = outcome.querySelector("optgroup:not([disabled]) option");
          if (first) first.selected = true;
        }
      }
    };
    form.addEventListener("change", sync);
    sync();
  });
  document.querySelectorAll("[data-select-all]").forEach((box) => {
    box.addEventListener("change", () => {
      document.querySelectorAll(`input[name=leads][form="${box.getAttribute("form")}"]`)
        .forEach((item) => { item.checked = box.checked; });
    });
  });
});
