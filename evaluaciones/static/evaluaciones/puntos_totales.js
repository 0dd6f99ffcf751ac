/*
 * Evaluation form: keep the total points current while the author edits the rows.
 *
 * The server computes the total (selectors.puntos_totales); this script only sends the
 * rows as they are now and shows the answer. Choosers fill hidden inputs without
 * events, so the rows are also compared once a second. Rows with a fixed question
 * hide their random-draw fields.
 */
(function () {
  "use strict";

  function activo(campo) {
    return campo && campo.value && campo.value !== "0" && campo.value !== "false";
  }

  function iniciar() {
    var nodo = document.querySelector("[data-puntos-totales]");
    var form = nodo && nodo.closest("form");
    if (!form) {
      return;
    }
    function campo(i, nombre) {
      return form.querySelector('[name="secciones-' + i + "-" + nombre + '"]');
    }
    function filas() {
      var total = form.querySelector('[name="secciones-TOTAL_FORMS"]');
      var parametros = new URLSearchParams();
      for (var i = 0; i < (total ? parseInt(total.value, 10) || 0 : 0); i++) {
        if (activo(campo(i, "DELETE"))) {
          continue;
        }
        var pregunta = campo(i, "pregunta");
        var categoria = campo(i, "categoria");
        if (pregunta && pregunta.value) {
          parametros.append("fila", "p:" + pregunta.value);
        } else if (categoria && categoria.value) {
          var cantidad = campo(i, "cantidad");
          var sub = campo(i, "incluir_subcategorias");
          parametros.append("fila", ["c", categoria.value, cantidad ? cantidad.value : "",
            sub && sub.checked ? "1" : ""].join(":"));
        }
      }
      return parametros.toString();
    }
    // A row with a fixed question has nothing to draw: its count and subcategory
    // fields are hidden (the server ignores them anyway).
    function ocultarAzarDeFijas() {
      var total = form.querySelector('[name="secciones-TOTAL_FORMS"]');
      for (var i = 0; i < (total ? parseInt(total.value, 10) || 0 : 0); i++) {
        var pregunta = campo(i, "pregunta");
        var fija = Boolean(pregunta && pregunta.value);
        ["cantidad", "incluir_subcategorias"].forEach(function (nombre) {
          var control = campo(i, nombre);
          var envoltura = control && control.closest("[data-field-wrapper], .w-field__wrapper");
          if (envoltura) {
            envoltura.hidden = fija;
          }
        });
      }
    }
    var vistas = filas();
    ocultarAzarDeFijas();
    function revisar() {
      ocultarAzarDeFijas();
      var actuales = filas();
      if (actuales === vistas) {
        return;
      }
      vistas = actuales;
      fetch(nodo.getAttribute("data-url") + "?" + actuales, {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (datos) {
          if (datos && vistas === actuales) {
            nodo.textContent = datos.texto;
          }
        })
        .catch(function () {});
    }
    form.addEventListener("input", revisar);
    form.addEventListener("change", revisar);
    window.setInterval(revisar, 1000);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", iniciar);
  } else {
    iniciar();
  }
})();
