// Measures the page as a phone shows it; returns the problems found, in Spanish.
// Read by tests/e2e/test_movil.py and run with page.evaluate().
() => {
  const vw = document.documentElement.clientWidth;
  const problemas = [];
  const nombre = (el) => {
    let s = el.tagName.toLowerCase();
    if (el.id) s += '#' + el.id;
    if (el.classList.length) s += '.' + [...el.classList].join('.');
    const texto = (el.innerText || el.textContent || '').trim().replace(/\s+/g, ' ').slice(0, 50);
    return texto ? `${s} «${texto}»` : s;
  };
  const visible = (el) => {
    const e = getComputedStyle(el);
    if (e.display === 'none' || e.visibility === 'hidden') return false;
    const r = el.getBoundingClientRect();
    return r.width > 1 && r.height > 1;
  };
  const desplazable = (el) => {
    const x = getComputedStyle(el).overflowX;
    return x === 'auto' || x === 'scroll';
  };
  const sw = document.documentElement.scrollWidth;
  if (sw > vw) problemas.push(`la página mide ${sw} px de ancho en una pantalla de ${vw} px`);

  const regiones = new Set();
  const salidos = new Set();
  for (const el of document.body.querySelectorAll('*')) {
    if (!visible(el) || el.closest('svg') && el.tagName.toLowerCase() !== 'svg') continue;
    const r = el.getBoundingClientRect();
    let contenedor = el.parentElement;
    while (contenedor && contenedor !== document.body && !desplazable(contenedor)) {
      contenedor = contenedor.parentElement;
    }
    const dentro = contenedor && contenedor !== document.body;
    if (dentro) {
      if (contenedor.scrollWidth > contenedor.clientWidth) regiones.add(contenedor);
    } else if (r.right > vw + 0.5) {
      salidos.add(el);
      // Only the outermost element that sticks out: its contents go with it.
      if (!salidos.has(el.parentElement)) {
        problemas.push(`${nombre(el)} termina en ${Math.round(r.right)} px (pantalla: ${vw} px)`);
      }
    }
  }
  if (sw > vw && problemas.length === 1) {
    // Nothing visible sticks out: name what does, hidden or not, to find the cause.
    for (const el of document.body.querySelectorAll('*')) {
      const r = el.getBoundingClientRect();
      if (r.right > vw + 0.5 && !salidos.has(el.parentElement)) {
        salidos.add(el);
        problemas.push(`${nombre(el)} (${getComputedStyle(el).position}) termina en ${Math.round(r.right)} px`);
      }
    }
  }
  for (const region of regiones) {
    const nombrada = region.getAttribute('aria-label') || region.getAttribute('aria-labelledby');
    if (region.tabIndex < 0 || !nombrada) {
      problemas.push(`${nombre(region)} se desplaza de lado pero no recibe el foco o no tiene nombre`);
    }
  }

  const rgb = (c) => (c.match(/[\d.]+/g) || []).map(Number);
  const luminancia = ([r, g, b]) => {
    const canal = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * canal(r) + 0.7152 * canal(g) + 0.0722 * canal(b);
  };
  const contraste = (a, b) => {
    const [x, y] = [luminancia(a), luminancia(b)].sort((m, n) => n - m);
    return (x + 0.05) / (y + 0.05);
  };
  const fondo = (el) => {
    for (let e = el; e; e = e.parentElement) {
      const c = rgb(getComputedStyle(e).backgroundColor);
      if (c.length === 3 || (c.length === 4 && c[3] > 0)) return c.slice(0, 3);
    }
    return [255, 255, 255];
  };
  for (const barra of document.querySelectorAll('[role=progressbar], progress')) {
    if (!visible(barra)) { problemas.push(`${nombre(barra)}: barra de avance invisible`); continue; }
    const r = barra.getBoundingClientRect();
    if (r.height < 8 || r.width < 48) {
      problemas.push(`${nombre(barra)}: barra de avance de ${Math.round(r.width)}×${Math.round(r.height)} px`);
    }
    const relleno = barra.querySelector('rect');
    if (relleno) {
      const c = contraste(rgb(getComputedStyle(relleno).fill), fondo(barra));
      if (c < 3) problemas.push(`${nombre(barra)}: el relleno contrasta ${c.toFixed(1)}:1 con el fondo`);
    }
    const valor = barra.getAttribute('aria-valuenow') ?? barra.getAttribute('value');
    const texto = (barra.parentElement.innerText || '').replace(/\s+/g, ' ');
    const etiquetas = (barra.getAttribute('aria-labelledby') || '').split(' ')
      .map((id) => document.getElementById(id)).filter((e) => e && visible(e));
    if (!texto.includes(`${valor} %`) && !etiquetas.length) {
      problemas.push(`${nombre(barra)}: ningún texto visible junto a la barra dice su avance (${valor} %)`);
    }
  }

  for (const texto of document.querySelectorAll('svg text')) {
    if (!visible(texto)) continue;
    const matriz = texto.getScreenCTM();
    const escala = matriz ? Math.hypot(matriz.a, matriz.b) : 1;
    const tamano = parseFloat(getComputedStyle(texto).fontSize) * escala;
    if (tamano < 12) {
      problemas.push(`texto de gráfica «${texto.textContent.trim().slice(0, 30)}» a ${tamano.toFixed(1)} px`);
    }
    const r = texto.getBoundingClientRect();
    const svg = texto.ownerSVGElement.getBoundingClientRect();
    if (r.left < svg.left - 0.5 || r.right > svg.right + 0.5) {
      problemas.push(`texto de gráfica «${texto.textContent.trim().slice(0, 30)}» se sale de la gráfica`);
    }
  }
  return problemas;
}
