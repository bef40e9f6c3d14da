// Call mode: a running timer against the team's maximum talk time (warning at 80 %, alert at
// 100 %), the qualification fields that belong to the chosen status, and Ctrl+Enter to log.
(() => {
  const format = (s) => `${Math.floor(s / 60)}:${String(Math.floor(s % 60)).padStart(2, "0")}`;

  document.addEventListener("DOMContentLoaded", () => {
    const timer = document.getElementById("timer");
    const form = document.getElementById("log-call");
    let started = Date.now();
    // The phone system says when the call was answered (telephony.js): the timer runs from then.
    document.addEventListener("telephony:answered", (event) => { started = event.detail.at; });
    const seconds = () => Math.floor((Date.now() - started) / 1000);

    if (timer) {
      const max = Number(timer.dataset.maxSeconds);
      const elapsed = timer.querySelector(".elapsed");
      const state = timer.querySelector(".timer-state");
      timer.querySelector(".limit").textContent = format(max);
      const tick = () => {
        const s = seconds();
        elapsed.textContent = format(s);
        const level = s >= max ? "alert" : s >= 0.8 * max ? "warn" : "";
        timer.dataset.level = level;
        state.textContent = level === "alert" ? timer.dataset.alertText : level === "warn" ? timer.dataset.warnText : "";
      };
      tick();
      setInterval(tick, 1000);
    }

    if (form) {
      form.addEventListener("submit", () => {
        form.querySelector("input[name=duration_seconds]").value = String(seconds());
      });
      form.addEventListener("keydown", (event) => {
        if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) { form.requestSubmit(); event.preventDefault(); }
      });
      // Show only the text field that the chosen status needs.
      form.querySelectorAll("fieldset.qual-item").forEach((fieldset) => {
        const sync = () => {
          const chosen = fieldset.querySelector("input[type=radio]:checked");
          const status = chosen ? chosen.value : "unknown";
          ["confirmed", "not_disclosed", "not_asked"].forEach((name) => {
            const part = fieldset.querySelector(`.when-${name}`);
            if (part) part.hidden = status !== name;
          });
        };
        fieldset.addEventListener("change", sync);
        sync();
      });
    }
  });
})();
