/* Attempt page: autosave each answer as it is given, and a countdown from the server's deadline.
   Without this script the page still works: "Guardar sin enviar" and "Enviar" post the whole form. */
(function () {
  "use strict";
  var form = document.getElementById("form-intento");
  if (!form || !window.fetch || !window.FormData) { return; }
  var T = JSON.parse(document.getElementById("textos-intento").textContent);
  var url = form.getAttribute("data-guardar");
  var token = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  var temporizadores = {};
  var enviando = false;

  function estado(fieldset, texto, error) {
    var nodo = fieldset.querySelector("[data-estado]");
    if (!nodo) { return; }
    nodo.textContent = texto;
    nodo.classList.toggle("error", !!error);
  }

  // How the server read a numeric answer ("Se leerá como: …"). The script never parses
  // numbers itself: it shows the server's line, and blanks it while it may be out of date.
  function lectura(fieldset, texto) {
    var nodo = fieldset.querySelector("[data-lectura]");
    if (!nodo || nodo.textContent === texto) { return; }
    nodo.textContent = texto;
    nodo.classList.remove("error");
  }

  function textoEnviado(fieldset) {
    var campo = fieldset.querySelector("[data-lectura]") && fieldset.querySelector("input[type=text]");
    return campo ? campo.value : null;
  }

  // One save in flight per question: a later change waits and is sent after it,
  // so an older answer can never arrive last and overwrite a newer one.
  var enVuelo = {};
  var pendiente = {};

  function terminar(fieldset, clave) {
    enVuelo[clave] = false;
    if (pendiente[clave]) {
      pendiente[clave] = false;
      guardar(fieldset);
    } else {
      fieldset.removeAttribute("data-guardando");
    }
  }

  function guardar(fieldset) {
    var clave = fieldset.getAttribute("data-clave");
    if (enVuelo[clave]) { pendiente[clave] = true; return; }
    var datos = new FormData();
    datos.append("csrfmiddlewaretoken", token);
    datos.append("pregunta", clave);
    var campos = fieldset.querySelectorAll("input, select, textarea");
    var hayArchivo = false;
    for (var i = 0; i < campos.length; i++) {
      var c = campos[i];
      if (!c.name || c.name.indexOf("p-") !== 0) { continue; }
      if ((c.type === "radio" || c.type === "checkbox") && !c.checked) { continue; }
      if (c.type === "file") {
        if (!c.files.length) { fieldset.removeAttribute("data-guardando"); return; }
        datos.append(c.name, c.files[0]);
        hayArchivo = true;
        continue;
      }
      datos.append(c.name, c.value);
    }
    estado(fieldset, hayArchivo ? T.subiendo : T.guardando, false);
    var enviado = textoEnviado(fieldset);
    enVuelo[clave] = true;
    fetch(url, { method: "POST", body: datos, credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
      .then(function (r) { return r.json().then(function (j) { return { ok: r.ok, j: j }; }); })
      .then(function (res) {
        if (res.ok && res.j.ok) {
          var version = fieldset.querySelector("[data-version]");
          if (version) { version.value = res.j.version; }
          estado(fieldset, T.guardada.replace("%(hora)s", res.j.guardada_en), false);
          if (typeof res.j.lectura === "string" && textoEnviado(fieldset) === enviado) {
            lectura(fieldset, res.j.lectura);
          }
          if (typeof res.j.restante === "number") { sincronizar(res.j.restante); }
        } else {
          estado(fieldset, res.j.mensaje || T.no_guardada, true);
          lectura(fieldset, "");
        }
        terminar(fieldset, clave);
      })
      .catch(function () {
        estado(fieldset, T.sin_conexion, true);
        lectura(fieldset, "");
        terminar(fieldset, clave);
        programar(fieldset, 8000);
      });
  }

  function programar(fieldset, espera) {
    var clave = fieldset.getAttribute("data-clave");
    fieldset.setAttribute("data-guardando", "");
    clearTimeout(temporizadores[clave]);
    temporizadores[clave] = setTimeout(function () { guardar(fieldset); }, espera);
  }

  form.addEventListener("change", function (e) {
    var fieldset = e.target.closest("fieldset[data-clave]");
    if (fieldset) { programar(fieldset, 0); }
  });
  form.addEventListener("input", function (e) {
    var fieldset = e.target.closest("fieldset[data-clave]");
    if (fieldset && (e.target.tagName === "TEXTAREA" || e.target.type === "text")) {
      lectura(fieldset, "");
      programar(fieldset, 1200);
    }
  });
  form.addEventListener("submit", function (e) {
    if (enviando) { e.preventDefault(); return; }
    var boton = e.submitter;
    if (boton && boton.value === "enviar" && !form.hasAttribute("data-vencido")) {
      if (!window.confirm(T.confirmar)) { e.preventDefault(); return; }
    }
    enviando = true;
  });

  // Countdown: counts the seconds the server said remain, so a wrong device clock does not matter.
  var cuenta = document.getElementById("cuenta-regresiva");
  if (!cuenta) { return; }
  var reloj = cuenta.querySelector("[data-reloj]");
  var aviso = cuenta.querySelector("[data-aviso-tiempo]");
  cuenta.querySelector(".cuenta-regresiva__reloj").hidden = false;
  var fin = Date.now() + parseInt(cuenta.getAttribute("data-restante"), 10) * 1000;
  var avisados = {};

  function sincronizar(restante) { fin = Date.now() + restante * 1000; }

  function formato(s) {
    var h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), x = s % 60;
    var mm = (h ? String(m).padStart(2, "0") : String(m));
    return (h ? h + ":" : "") + mm + ":" + String(x).padStart(2, "0");
  }

  function tic() {
    var s = Math.max(0, Math.round((fin - Date.now()) / 1000));
    reloj.textContent = formato(s);
    Object.keys(T.quedan).forEach(function (clave) {
      var umbral = Number(clave);
      if (s <= umbral && s > umbral - 5 && !avisados[umbral]) {
        avisados[umbral] = true;
        aviso.textContent = T.quedan[clave];
        cuenta.classList.add("cuenta-regresiva--poco");
      }
    });
    if (s <= 1 && !enviando) {
      aviso.textContent = T.vencido;
      form.setAttribute("data-vencido", "");
      var boton = form.querySelector("[data-enviar]");
      if (form.requestSubmit) { form.requestSubmit(boton); } else { boton.click(); }
      return;
    }
    setTimeout(tic, 1000);
  }
  tic();
})();
