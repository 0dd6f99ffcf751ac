/*
 * Question form: show only the fields of the chosen type while the author picks it.
 *
 * What each type shows comes from the server (the JSON next to the type's select,
 * built from evaluaciones.tipos); this script keeps no list of its own. Without it
 * every field stays visible with a line saying which types use it, and the server
 * ignores what the saved type does not use.
 */
(function () {
  "use strict";

  function poner(el, texto) {
    if (el && texto && el.textContent !== texto) {
      el.textContent = texto;
    }
  }

  function ocultar(el, oculto) {
    if (el.hidden !== oculto) {
      el.hidden = oculto;
    }
  }

  // Wagtail's tag widget (tag-it) types into an input it creates without a name, while
  // the field's label points at the hidden original: name the visible one after it.
  function nombrarEtiquetas() {
    document.querySelectorAll("input[data-controller~='w-tag']").forEach(function (original) {
      var lista = original.nextElementSibling;
      var entrada = lista && lista.querySelector("input.ui-autocomplete-input");
      var etiqueta = document.getElementById(original.id + "-label");
      if (entrada && etiqueta && !entrada.hasAttribute("aria-labelledby")) {
        entrada.setAttribute("aria-labelledby", etiqueta.id);
        var ayuda = original.getAttribute("aria-describedby");
        if (ayuda) {
          entrada.setAttribute("aria-describedby", ayuda);
        }
      }
    });
  }

  function iniciar() {
    var nodoDatos = document.getElementById("autoria-tipos-datos");
    var selector = document.querySelector("select[data-autoria-tipo]");
    if (!nodoDatos || !selector) {
      return;
    }
    var datos = JSON.parse(nodoDatos.textContent);

    function aplicar() {
      var tipo = datos.tipos[selector.value] || null;
      document.querySelectorAll("[data-campo-por-tipo]").forEach(function (el) {
        var nombre = el.getAttribute("data-campo-por-tipo");
        ocultar(el, tipo !== null && tipo.campos.indexOf(nombre) === -1);
        var base = el.getAttribute("data-titulo-base");
        if (base !== null) {
          var titulo = el.querySelector(".w-panel__heading");
          poner(titulo && (titulo.querySelector("[data-panel-heading-text]") || titulo),
            (tipo && tipo.titulo) || base);
        }
      });
      document.querySelectorAll("[data-columna-por-tipo]").forEach(function (el) {
        var columna = el.getAttribute("data-columna-por-tipo");
        ocultar(el, tipo !== null && tipo.columnas.indexOf(columna) === -1);
        var etiqueta = el.querySelector("label.w-field__label");
        poner(etiqueta, (tipo && tipo.etiquetas[columna]) || el.getAttribute("data-etiqueta-base"));
      });
      document.querySelectorAll("[data-aplica-a]").forEach(function (el) {
        ocultar(el, tipo !== null);
      });
      nombrarEtiquetas();
    }

    selector.addEventListener("change", aplicar);
    // Rows added with "Agregar" come from a template: give them the type's columns too.
    new MutationObserver(aplicar).observe(selector.form || document.body, {
      childList: true,
      subtree: true,
    });
    aplicar();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", iniciar);
  } else {
    iniciar();
  }
})();
