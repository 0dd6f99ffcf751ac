// The printable participant record opens the browser's print dialog (to save it as PDF).
window.addEventListener("load", function () { window.print(); });
