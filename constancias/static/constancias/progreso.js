// Polls the bulk job's JSON and updates the progress bar until the job ends.
(function () {
  "use strict";
  var caja = document.getElementById("progreso-trabajo");
  if (!caja) { return; }
  var barra = caja.querySelector("[role=progressbar]");
  var relleno = caja.querySelector("[data-barra]");
  var texto = caja.querySelector("[data-texto]");
  function consultar() {
    fetch(caja.dataset.url, { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (d) {
        barra.setAttribute("aria-valuenow", d.porcentaje);
        barra.setAttribute("aria-valuetext", d.porcentaje + " %");
        relleno.setAttribute("width", d.porcentaje);
        texto.textContent = d.texto;
        if (!d.terminado) { setTimeout(consultar, 1500); } else if (d.no_emitidas) { location.reload(); }
      })
      .catch(function () { setTimeout(consultar, 5000); });
  }
  setTimeout(consultar, 1000);
})();
