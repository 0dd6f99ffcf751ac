/* Collapsible main menu on narrow screens. Without this script the menu is simply always open. */
(function () {
  "use strict";
  var boton = document.querySelector("[data-menu-boton]");
  var menu = boton && document.getElementById(boton.getAttribute("aria-controls"));
  if (!boton || !menu) { return; }
  document.documentElement.classList.add("con-js");
  boton.hidden = false;

  function abrir(abierto) {
    boton.setAttribute("aria-expanded", abierto ? "true" : "false");
  }
  abrir(false);
  boton.addEventListener("click", function () {
    abrir(boton.getAttribute("aria-expanded") !== "true");
  });
  document.addEventListener("keydown", function (evento) {
    if (evento.key === "Escape" && boton.getAttribute("aria-expanded") === "true") {
      abrir(false);
      boton.focus();
    }
  });
})();
