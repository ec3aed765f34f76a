// Comportements communs, sans dépendance : autocomplétion des communes.
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
