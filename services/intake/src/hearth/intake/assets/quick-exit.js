/* "Leave this site quickly": replace this page in the history, so Back does not return. */
(function () {
  "use strict";
  var link = document.getElementById("quick-exit");
  if (!link) {
    return;
  }
  link.addEventListener("click", function (event) {
    event.preventDefault();
    window.location.replace(link.href);
  });
})();
