// The directory needs no JavaScript: its state is in the URL. This only mends the back button. A page the
// browser restores from its back-forward cache shows the form as the visitor left it (a box ticked, then
// applied on the next page); resetting the form brings back what the page was served with, the state of
// its URL and of the results beside it.
"use strict";

window.addEventListener("pageshow", function (event) {
  if (event.persisted) {
    document.querySelectorAll("form.directory").forEach(function (form) {
      form.reset();
    });
  }
});
