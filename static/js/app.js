// Small behaviours shared by every page. No inline scripts: the Content Security Policy
// allows scripts from the app's own static files only.
document.addEventListener("DOMContentLoaded", () => {
  // Close the phone-width menu when a link in it is followed.
  document.querySelectorAll("details.menu a").forEach((link) => {
    link.addEventListener("click", () => link.closest("details").removeAttribute("open"));
  });
  // Keep the menu open on wide screens, where it is a plain navigation bar.
  const menu = document.querySelector("details.menu");
  const wide = window.matchMedia("(min-width: 48rem)");
  const sync = () => { if (menu && wide.matches) menu.setAttribute("open", ""); };
  sync();
  wide.addEventListener("change", sync);
});

// htmx answers that are not a success. A 400, 409 or 422 carries the form again with its errors
// (the views render the fragment with that status): swap it in place like a success. Any other
// failure (a 5xx, a 403 or 404, no answer at all) leaves the page as it is and says so in the
// alert region of the base template, in the reader's language (its data attributes).
(() => {
  const SWAP_IN_PLACE = [400, 409, 422];
  const alertRegion = () => document.getElementById("request-errors");
  const say = (key) => {
    const region = alertRegion();
    if (!region) return;
    const text = region.dataset[key] || region.dataset.server;
    const item = document.createElement("p");
    item.className = "message message-error";
    item.textContent = text;
    const close = document.createElement("button");
    close.type = "button";
    close.className = "link-button";
    close.textContent = region.dataset.dismiss;
    close.addEventListener("click", () => item.remove());
    item.append(" ", close);
    region.replaceChildren(item);
    region.hidden = false;
  };
  document.addEventListener("htmx:beforeSwap", (event) => {
    const status = event.detail.xhr.status;
    if (SWAP_IN_PLACE.includes(status)) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    } else if (status >= 400) {
      event.detail.shouldSwap = false;
      say(status >= 500 ? "server" : status === 403 || status === 401 ? "denied" : "gone");
    }
  });
  document.addEventListener("htmx:sendError", () => say("network"));
  document.addEventListener("htmx:timeout", () => say("network"));
  // A success clears an earlier failure's message.
  document.addEventListener("htmx:afterRequest", (event) => {
    const region = alertRegion();
    if (region && event.detail.successful && event.detail.xhr.status < 400) {
      region.replaceChildren();
      region.hidden = true;
    }
  });
})();
