// Séance du jury : confirmer la publication, ne pas perdre une motivation en cours de saisie.
(function () {
  "use strict";
  document.querySelectorAll("form[data-confirmer]").forEach(function (formulaire) {
    formulaire.addEventListener("submit", function (evenement) {
      if (!window.confirm(formulaire.dataset.confirmer)) { evenement.preventDefault(); }
    });
  });

  var envoye = null;
  var decisions = document.querySelectorAll("form[data-decision]");
  decisions.forEach(function (formulaire) {
    formulaire.addEventListener("input", function () { formulaire.dataset.modifie = "1"; });
    formulaire.addEventListener("change", function () { formulaire.dataset.modifie = "1"; });
    formulaire.addEventListener("submit", function () { envoye = formulaire; });
  });
  window.addEventListener("beforeunload", function (evenement) {
    var enCours = Array.prototype.some.call(decisions, function (formulaire) {
      return formulaire !== envoye && formulaire.dataset.modifie === "1";
    });
    if (enCours) {
      // Une autre décision a été saisie sans être enregistrée : le navigateur demande confirmation.
      evenement.preventDefault();
      evenement.returnValue = "";
    }
  });
})();
