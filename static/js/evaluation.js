// L'évaluation d'une candidature : note courante recalculée à la saisie, brouillon enregistré
// pendant la frappe (fetch POST, jeton CSRF, réponse JSON, version), copie gardée dans le
// navigateur (localStorage) par compte et par affectation, restaurée si elle est plus récente.
(function () {
  "use strict";
  var form = document.getElementById("form-evaluation");
  if (!form) { return; }
  var url = form.dataset.autosaveUrl;
  var cle = form.dataset.cleLocale;
  var lectureSeule = form.hasAttribute("data-lecture-seule");
  var etat = document.getElementById("etat-sauvegarde");
  var sortie = document.getElementById("note-courante");
  var reconnexion = document.getElementById("lien-reconnexion");
  var champVersion = form.querySelector("input[name=version]");
  var DELAI = 1500;
  var minuteur = null;
  var enCours = false;
  var aRefaire = false;
  var modifie = false;
  var bloque = false;

  function dire(message) { if (etat) { etat.textContent = message; } }
  function nombre(x) { return x.toFixed(1).replace(".", ","); }

  function valeurs() {
    var d = {};
    new FormData(form).forEach(function (v, k) {
      if (k !== "csrfmiddlewaretoken" && k !== "version" && k !== "action") { d[k] = v; }
    });
    return d;
  }

  function appliquer(vals) {
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.name === "csrfmiddlewaretoken" || el.name === "version" || el.type === "submit" || el.type === "hidden") { return; }
      if (el.type === "radio") { el.checked = vals[el.name] === el.value; }
      else { el.value = vals[el.name] !== undefined ? vals[el.name] : ""; }
    });
  }

  function noteCourante() {
    var num = 0, den = 0, notes = 0, total = 0;
    form.querySelectorAll("[data-critere]").forEach(function (fs) {
      total += 1;
      var nom = fs.dataset.nom;
      var choisi = form.querySelector('[name="' + nom + '"]:checked') || form.querySelector('select[name="' + nom + '"]');
      var v = choisi ? choisi.value : "";
      if (v === "") { return; }
      var poids = parseFloat(fs.dataset.poids), mini = parseInt(fs.dataset.min, 10), maxi = parseInt(fs.dataset.max, 10);
      num += poids * (parseInt(v, 10) - mini);
      den += poids * (maxi - mini);
      notes += 1;
    });
    if (!sortie) { return; }
    if (total && notes === total) { sortie.textContent = nombre(20 * num / den) + " / 20"; }
    else if (notes) { sortie.textContent = "incomplète (" + notes + " critère" + (notes > 1 ? "s" : "") + " noté" + (notes > 1 ? "s" : "") + " sur " + total + " : " + nombre(20 * num / den) + " / 20 sur ces critères)"; }
    else { sortie.textContent = "incomplète"; }
  }

  function lireLocal() {
    try { return JSON.parse(localStorage.getItem(cle) || "null"); } catch (e) { return null; }
  }
  function ecrireLocal(copie) {
    try { localStorage.setItem(cle, JSON.stringify(copie)); } catch (e) { /* stockage plein ou refusé */ }
  }
  function garderLocal() {
    ecrireLocal({ t: Date.now(), version: parseInt(champVersion.value || "0", 10), valeurs: valeurs(), enregistre: false });
  }
  function marquerEnregistre(version) {
    var copie = lireLocal();
    if (copie) { copie.enregistre = true; copie.version = version; ecrireLocal(copie); }
  }

  function envoyer(parBalise) {
    if (bloque) { return; }
    if (enCours) { aRefaire = true; return; }
    var donnees = new FormData(form);
    donnees.delete("action");
    if (parBalise) {
      // Onglet fermé ou quitté : un dernier envoi sans attendre la réponse.
      if (navigator.sendBeacon) { navigator.sendBeacon(url, donnees); }
      return;
    }
    enCours = true;
    modifie = false;
    fetch(url, {
      method: "POST",
      body: donnees,
      credentials: "same-origin",
      headers: { "Accept": "application/json", "X-Requested-With": "fetch" }
    }).then(function (r) {
      var type = r.headers.get("content-type") || "";
      if (r.status === 404) { throw { retiree: true }; }
      if (r.redirected || type.indexOf("application/json") < 0) { throw { session: true }; }
      return r.json().then(function (d) { return { statut: r.status, d: d }; });
    }).then(function (res) {
      if (res.d.ok) {
        champVersion.value = res.d.version;
        form.dataset.modifiee = res.d.modifiee_ms;
        marquerEnregistre(res.d.version);
        if (reconnexion) { reconnexion.hidden = true; }
        dire(res.d.message);
      } else if (res.statut === 409) {
        bloque = true;
        modifie = true;
        dire(res.d.message + " Votre saisie reste gardée dans ce navigateur.");
      } else {
        modifie = true;
        dire("Brouillon non enregistré : " + res.d.message);
      }
    }).catch(function (e) {
      modifie = true;
      if (e && e.retiree) {
        bloque = true;
        dire("Cette candidature ne vous est plus affectée (retirée par l'équipe ou conflit déclaré) : rien n'a été enregistré. Votre saisie reste gardée dans ce navigateur.");
      } else if (e && e.session) {
        if (reconnexion) { reconnexion.hidden = false; }
        dire("Votre session a expiré : rien n'est perdu, votre saisie est gardée dans ce navigateur. Reconnectez-vous, puis rouvrez cette page : elle sera restaurée.");
      } else {
        dire("Enregistrement impossible pour l'instant (connexion ?) : votre saisie est gardée dans ce navigateur ; nouvel essai à la prochaine modification.");
      }
    }).then(function () {
      enCours = false;
      if (aRefaire) { aRefaire = false; envoyer(); }
    });
  }

  function programmer() {
    noteCourante();
    if (lectureSeule) { return; }
    modifie = true;
    garderLocal();
    dire("Modifications en cours d'enregistrement…");
    clearTimeout(minuteur);
    minuteur = setTimeout(function () { envoyer(); }, DELAI);
  }

  function restaurer() {
    var copie = lireLocal();
    if (!copie) { return; }
    if (lectureSeule) { try { localStorage.removeItem(cle); } catch (e) { /* rien */ } return; }
    if (copie.enregistre) { return; }
    var versionServeur = parseInt(champVersion.value || "0", 10);
    var dateServeur = parseInt(form.dataset.modifiee || "0", 10);
    if (copie.version === versionServeur || copie.t > dateServeur) {
      appliquer(copie.valeurs || {});
      dire("Votre saisie non enregistrée, gardée dans ce navigateur, a été restaurée ; elle va être enregistrée.");
      modifie = true;
      clearTimeout(minuteur);
      minuteur = setTimeout(function () { envoyer(); }, 300);
    }
  }

  form.addEventListener("input", programmer);
  form.addEventListener("change", programmer);
  form.addEventListener("submit", function () { clearTimeout(minuteur); garderLocal(); });
  window.addEventListener("pagehide", function () { if (modifie && !lectureSeule) { envoyer(true); } });
  restaurer();
  noteCourante();
})();
