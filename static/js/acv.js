// Comportements communs, sans dépendance : autocomplétion des communes ; tableaux défilants
// atteignables au clavier.
(function () {
  "use strict";
  function brancherAutocompletion(champ) {
    var liste = document.getElementById(champ.getAttribute("list"));
    var url = champ.dataset.autocompletionCommune;
    var minuteur = null;
    champ.addEventListener("input", function () {
      clearTimeout(minuteur);
      var terme = champ.value.trim();
      if (terme.length < 2 || /\(\w{5}\)$/.test(terme)) { return; }
      minuteur = setTimeout(function () {
        fetch(url + "?q=" + encodeURIComponent(terme), { credentials: "same-origin" })
          .then(function (r) { return r.ok ? r.json() : { resultats: [] }; })
          .then(function (donnees) {
            liste.innerHTML = "";
            donnees.resultats.forEach(function (c) {
              var option = document.createElement("option");
              option.value = c.libelle.split(" — ")[0];
              option.label = c.libelle;
              liste.appendChild(option);
            });
          });
      }, 200);
    });
  }
  document.querySelectorAll("[data-autocompletion-commune]").forEach(brancherAutocompletion);
})();

// Un tableau plus large (ou plus haut) que sa place défile dans son conteneur : le conteneur doit
// alors recevoir le focus pour défiler au clavier (WCAG 2.1.1, règle axe
// « scrollable-region-focusable »), en zone nommée par la légende du tableau.
(function () {
  "use strict";
  function ajuster(conteneur) {
    var deborde = conteneur.scrollWidth > conteneur.clientWidth + 1 ||
      conteneur.scrollHeight > conteneur.clientHeight + 1;
    if (deborde && !conteneur.hasAttribute("tabindex")) {
      var legende = conteneur.querySelector("caption");
      conteneur.setAttribute("tabindex", "0");
      conteneur.setAttribute("role", "region");
      conteneur.setAttribute("aria-label", legende ? legende.textContent.trim() : "Tableau");
      conteneur.dataset.acvDefilable = "";
    } else if (!deborde && conteneur.dataset.acvDefilable !== undefined) {
      ["tabindex", "role", "aria-label", "data-acv-defilable"].forEach(function (a) {
        conteneur.removeAttribute(a);
      });
    }
  }
  function tout() { document.querySelectorAll(".fr-table__container").forEach(ajuster); }
  var minuteur = null;
  tout();
  window.addEventListener("load", tout);
  window.addEventListener("resize", function () { clearTimeout(minuteur); minuteur = setTimeout(tout, 150); });
})();
