// Keyboard for the Today page: j / k select the next / previous lead still to call (called
// and skipped entries are passed over), Enter calls the selected lead, n calls the next lead,
// s opens the skip form of the selected lead. Works after htmx swaps the queue too.
(() => {
  const entries = () => Array.from(document.querySelectorAll("[data-entry].status-planned"));
  const typing = (el) => el && (el.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(el.tagName));
  let selected = null;

  const select = (el) => {
    entries().forEach((e) => e.classList.remove("selected"));
    selected = el ? el.dataset.entry : null;
    if (el) { el.classList.add("selected"); el.focus(); }
  };
  const current = () => entries().find((e) => e.dataset.entry === selected);

  document.addEventListener("htmx:afterSwap", () => {
    const el = current();
    if (el) el.classList.add("selected");
  });

  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
    const list = entries();
    if (!list.length) return;
    const index = list.indexOf(current());
    if (event.key === "j") { select(list[Math.min(index + 1, list.length - 1)]); event.preventDefault(); }
    else if (event.key === "k") { select(list[Math.max(index - 1, 0)]); event.preventDefault(); }
    else if (event.key === "Enter" && current() && current().dataset.callUrl) {
      window.location.assign(current().dataset.callUrl); event.preventDefault();
    } else if (event.key === "n") {
      const next = document.getElementById("call-next");
      if (next) { window.location.assign(next.href); event.preventDefault(); }
    } else if (event.key === "s" && current()) {
      const details = current().querySelector("details.skip");
      if (details) { details.open = true; details.querySelector("input[name=reason]").focus(); event.preventDefault(); }
    }
  });
})();
