// Call mode with a phone system: the call state fragment (polled by htmx) carries when the
// call was answered and when its activity starts; the timer restarts from the answer and the
// log form is sent with the call's start, so the SDR's outcome and the phone's event make one
// activity.
(() => {
  document.addEventListener("htmx:afterSwap", (event) => {
    if (event.target.id !== "call-state") return;
    const state = event.target.querySelector(".call-state");
    if (!state) return;
    const form = document.getElementById("log-call");
    const start = form && form.querySelector("input[name=started_at]");
    if (start && state.dataset.activityStart) start.value = state.dataset.activityStart;
    if (state.dataset.answeredAt && event.target.dataset.answered !== state.dataset.answeredAt) {
      event.target.dataset.answered = state.dataset.answeredAt;
      document.dispatchEvent(
        new CustomEvent("telephony:answered", { detail: { at: Date.parse(state.dataset.answeredAt) } }),
      );
    }
  });
})();
