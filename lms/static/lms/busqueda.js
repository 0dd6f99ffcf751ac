/* Results that follow the search box as one types.
 *
 * A GET form marked data-busqueda-viva="ID" reloads the element #ID (table and pages)
 * from the same page with the form's values, 300 ms after the last keystroke in its
 * search box, and the contents of its live region data-busqueda-estado="ID" (the count),
 * which stays in place so screen readers announce the new count. The form itself is
 * untouched, so focus and typing go on; the URL is replaced so that reloading or sharing
 * it shows the same list. Without this script the form works as always, with its button.
 */
(function () {
  "use strict";
  var ESPERA_MS = 300;

  document.querySelectorAll("form[data-busqueda-viva]").forEach(function (formulario) {
    var destino = document.getElementById(formulario.getAttribute("data-busqueda-viva"));
    var estado = document.getElementById(formulario.getAttribute("data-busqueda-estado"));
    var caja = formulario.querySelector("input[type=search]");
    if (!destino || !caja) { return; }
    var temporizador = null;
    var ultima = 0;

    function actualizar() {
      var url = formulario.action.split("?")[0] + "?" + new URLSearchParams(new FormData(formulario)).toString();
      var numero = ++ultima;
      destino.setAttribute("aria-busy", "true");
      fetch(url, { credentials: "same-origin", headers: { Accept: "text/html" } })
        .then(function (respuesta) { return respuesta.ok ? respuesta.text() : null; })
        .then(function (html) {
          // A slower, older answer never overwrites a newer one.
          if (html === null || numero !== ultima) { return; }
          var pagina = new DOMParser().parseFromString(html, "text/html");
          var nuevo = pagina.getElementById(destino.id);
          if (!nuevo) { return; }
          destino.innerHTML = nuevo.innerHTML;
          var nuevoEstado = estado && pagina.getElementById(estado.id);
          if (nuevoEstado) { estado.innerHTML = nuevoEstado.innerHTML; }
          history.replaceState(null, "", url);
        })
        .catch(function () { /* the button still works */ })
        .then(function () {
          if (numero === ultima) { destino.removeAttribute("aria-busy"); }
        });
    }

    caja.addEventListener("input", function () {
      clearTimeout(temporizador);
      temporizador = setTimeout(actualizar, ESPERA_MS);
    });
  });
})();
