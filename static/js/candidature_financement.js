// Plan de financement : « Ajouter une ligne » ajoute une ligne vide au formulaire (formset Django).
// Sans JavaScript, le formulaire offre trois lignes vides, et trois de plus à chaque enregistrement.
(function () {
  "use strict";
  document.querySelectorAll("[data-ajouter-ligne]").forEach(function (bouton) {
    var prefixe = bouton.dataset.ajouterLigne;
    var modele = document.getElementById(prefixe + "-modele");
    var corps = document.getElementById(prefixe + "-lignes");
    var total = document.getElementById("id_" + prefixe + "-TOTAL_FORMS");
    if (!modele || !corps || !total) { return; }
    bouton.hidden = false;
    bouton.addEventListener("click", function () {
      var rang = parseInt(total.value, 10);
      var html = modele.innerHTML.replace(/__prefix__/g, String(rang))
        .replace(/__numero__/g, String(rang + 1));
      corps.insertAdjacentHTML("beforeend", html);
      total.value = String(rang + 1);
      var champ = corps.lastElementChild && corps.lastElementChild.querySelector("select, input");
      if (champ) { champ.focus(); }
    });
  });
})();
