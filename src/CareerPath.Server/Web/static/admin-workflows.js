// The workflow diagrams of /admin/workflows: Mermaid (static/mermaid/mermaid.min.js, loaded before this file)
// draws each definition's state diagram from the Mermaid text the page shows in a <pre>. Without this script
// the page still gives that text and the table of transitions, which is also the diagram's text alternative.
(function () {
  "use strict";
  if (!window.mermaid) return;
  // strict: the text is the server's own, but no label may carry markup or script into the page all the same.
  // Drawn at its natural size; shown first shrunk to the page's width (the whole at a glance), and at its natural
  // size (labels readable, in a box that scrolls) at the press of a button.
  window.mermaid.initialize({
    startOnLoad: false, securityLevel: "strict", theme: "neutral", fontFamily: "Marianne, arial, sans-serif",
    state: { useMaxWidth: false },
  });
  var targets = document.querySelectorAll("[data-mermaid]");
  var index = 0;
  function next() {
    if (index >= targets.length) return;
    var target = targets[index++];
    var source = document.getElementById(target.getAttribute("data-mermaid"));
    if (!source) return next();
    window.mermaid.render("diagramme-" + index, source.textContent).then(function (result) {
      target.innerHTML = result.svg;
      // Set through the CSSOM, which the Content-Security-Policy allows: the box scrolls, and takes the keyboard to do so.
      target.style.overflow = "auto";
      target.setAttribute("tabindex", "0");
      target.setAttribute("role", "region");
      target.setAttribute("aria-label", "Diagramme d'états, à faire défiler");
      var svg = target.querySelector("svg");
      if (svg) {
        // The figure's caption names the diagram; the table after it is its text.
        svg.setAttribute("role", "img");
        svg.setAttribute("aria-label", "Diagramme d'états (le tableau des transitions qui suit en donne le texte)");
        sizeToggle(target, svg);
      }
      target.setAttribute("data-rendu", "oui");
      next();
    }, function (error) {
      target.insertAdjacentHTML("beforeend", "<p class=\"fr-error-text\">Le diagramme n'a pas pu être dessiné : lisez le tableau des transitions.</p>");
      if (window.console) window.console.error(error);
      next();
    });
  }
  function sizeToggle(target, svg) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "fr-btn fr-btn--tertiary fr-btn--sm fr-mb-1w";
    button.textContent = "Diagramme en taille réelle";
    var natural = false;
    function apply() {
      svg.style.maxWidth = natural ? "none" : "100%";
      svg.style.height = natural ? "" : "auto";
      // A toggle button: its name stays, its pressed state says which size is shown.
      button.setAttribute("aria-pressed", natural ? "true" : "false");
    }
    button.addEventListener("click", function () {
      natural = !natural;
      apply();
    });
    apply();
    target.parentNode.insertBefore(button, target);
  }

  // One after the other: Mermaid renders one diagram at a time.
  next();
})();
