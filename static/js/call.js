// Call mode: a running timer against the team's maximum talk time (warning at 80 %, alert at
// 100 %), "Still open" as items are marked, the qualification fields that belong to the chosen
// status, and Ctrl+Enter to log.
(() => {
  const format = (s) => `${Math.floor(s / 60)}:${String(Math.floor(s % 60)).padStart(2, "0")}`;

  document.addEventListener("DOMContentLoaded", () => {
    const timer = document.getElementById("timer");
    const form = document.getElementById("log-call");
    // The timer runs from the start the server recorded when call mode opened, read on the
    // server's clock (this device's may be off): a re-render after a refusal keeps it.
    const serverNow = timer ? Date.parse(timer.dataset.serverNow) : NaN;
    const skew = Number.isNaN(serverNow) ? 0 : Date.now() - serverNow;
    let started = timer && timer.dataset.startedAt ? Date.parse(timer.dataset.startedAt) + skew : Date.now();
    if (Number.isNaN(started)) started = Date.now();
    // The phone system says when the call was answered (telephony.js): the timer runs from then.
    document.addEventListener("telephony:answered", (event) => { started = event.detail.at + skew; });
    const seconds = () => Math.max(0, Math.floor((Date.now() - started) / 1000));

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
      const allAnswered = document.getElementById("all-answered");
      const syncOpen = () => {
        let open = 0;
        document.querySelectorAll("li[data-open-item]").forEach((li) => {
          const fieldset = form.querySelector(`fieldset.qual-item[data-item="${li.dataset.openItem}"]`);
          const chosen = fieldset && fieldset.querySelector("input[type=radio]:checked");
          li.hidden = Boolean(chosen && chosen.value !== "unknown");
          if (!li.hidden) open += 1;
        });
        if (allAnswered) allAnswered.hidden = open > 0;
      };
      // Show only the text field that the chosen status needs.
      form.querySelectorAll("fieldset.qual-item").forEach((fieldset) => {
        const sync = () => {
          const chosen = fieldset.querySelector("input[type=radio]:checked");
          const status = chosen ? chosen.value : "unknown";
          ["confirmed", "not_disclosed", "not_asked"].forEach((name) => {
            const part = fieldset.querySelector(`.when-${name}`);
            if (part) part.hidden = status !== name;
          });
          syncOpen();
        };
        fieldset.addEventListener("change", sync);
        sync();
      });
    }
  });
})();
