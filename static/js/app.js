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
