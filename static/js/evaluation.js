// L'évaluation d'une candidature : note courante recalculée à la saisie, brouillon enregistré
// pendant la frappe (fetch POST, jeton CSRF, réponse JSON, version), copie gardée dans le
// navigateur (localStorage) par compte et par affectation, restaurée si elle est plus récente.
// Jeton CSRF refusé (nouvelle connexion dans un autre onglet) : un jeton neuf, un nouvel essai.
// « Soumettre » attend le brouillon en route et reprend sa version ; après la soumission, plus
// aucun brouillon ni envoi à la fermeture de la page (il ferait avancer la version).
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
  var boutons = form.querySelectorAll("button[type=submit]");
  var DELAI = 1500;
  var minuteur = null;
  var enCours = null;        // la promesse de l'envoi du brouillon en route, sinon null
  var aRefaire = false;
  var modifie = false;
  var bloque = false;
  var soumission = false;    // le formulaire part : plus de brouillon ni d'envoi à la fermeture
  var sessionPerdue = false; // dernier envoi refusé faute de session : le jeton a pu changer
  var clique = null;         // le dernier bouton cliqué (navigateurs sans SubmitEvent.submitter)

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

  function poster(donnees) {
    return fetch(url, {
      method: "POST",
      body: donnees,
      credentials: "same-origin",
      headers: { "Accept": "application/json", "X-Requested-With": "fetch" }
    }).then(function (r) {
      var type = r.headers.get("content-type") || "";
      if (r.status === 404) { throw { retiree: true }; }
      if (r.redirected || type.indexOf("application/json") < 0) { throw { session: true }; }
      return r.json().then(function (d) { return { statut: r.status, d: d }; });
    });
  }

  // Un jeton CSRF neuf, posé dans les formulaires de la page ; sans session : { session: true }.
  function renouvelerJeton(adresse) {
    if (!adresse) { return Promise.reject({ session: true }); }
    return fetch(adresse, {
      credentials: "same-origin",
      cache: "no-store",
      headers: { "Accept": "application/json", "X-Requested-With": "fetch" }
    }).then(function (r) {
      var type = r.headers.get("content-type") || "";
      if (!r.ok || r.redirected || type.indexOf("application/json") < 0) { throw { session: true }; }
      return r.json();
    }).then(function (d) {
      if (!d.jeton) { throw { session: true }; }
      document.querySelectorAll("input[name=csrfmiddlewaretoken]").forEach(function (champ) {
        champ.value = d.jeton;
      });
      return d.jeton;
    });
  }

  // Jeton refusé (403 {jeton: true}) : sans doute renouvelé par une connexion dans un autre
  // onglet. Un jeton neuf, un seul nouvel essai ; refusé encore, c'est la session qui manque.
  function posterAvecJeton(donnees) {
    return poster(donnees).then(function (res) {
      if (res.statut !== 403 || !res.d.jeton) { return res; }
      return renouvelerJeton(res.d.adresse_jeton).then(function (jeton) {
        donnees.set("csrfmiddlewaretoken", jeton);
        return poster(donnees);
      }).then(function (res2) {
        if (res2.statut === 403 && res2.d.jeton) { throw { session: true }; }
        return res2;
      });
    });
  }

  // Enregistre le brouillon ; rend la promesse de l'envoi (déjà en route, le cas échéant).
  function envoyer(parBalise) {
    if (bloque) { return Promise.resolve(); }
    if (enCours) { aRefaire = true; return enCours; }
    var donnees = new FormData(form);
    donnees.delete("action");
    if (parBalise) {
      // Onglet fermé ou quitté : un dernier envoi sans attendre la réponse.
      if (navigator.sendBeacon) { navigator.sendBeacon(url, donnees); }
      return Promise.resolve();
    }
    modifie = false;
    enCours = posterAvecJeton(donnees).then(function (res) {
      if (res.d.ok) {
        sessionPerdue = false;
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
        dire("Brouillon non enregistré : " + (res.d.message || res.d.erreur));
      }
    }).catch(function (e) {
      modifie = true;
      if (e && e.retiree) {
        bloque = true;
        dire("Cette candidature ne vous est plus affectée (retirée par l'équipe ou conflit déclaré) : rien n'a été enregistré. Votre saisie reste gardée dans ce navigateur.");
      } else if (e && e.session) {
        sessionPerdue = true;
        if (reconnexion) { reconnexion.hidden = false; }
        dire("Votre session a expiré : rien n'est perdu, votre saisie est gardée dans ce navigateur. Reconnectez-vous, puis rouvrez cette page : elle sera restaurée.");
      } else {
        dire("Enregistrement impossible pour l'instant (connexion ?) : votre saisie est gardée dans ce navigateur ; nouvel essai à la prochaine modification.");
      }
    }).then(function () {
      enCours = null;
      if (aRefaire && !soumission) { aRefaire = false; envoyer(); }
    });
    return enCours;
  }

  function plusTard(delai) {
    clearTimeout(minuteur);
    minuteur = setTimeout(function () { if (!soumission) { envoyer(); } }, delai);
  }

  function bloquerBoutons(oui) {
    Array.prototype.forEach.call(boutons, function (b) { b.disabled = oui; });
  }

  function annulerSoumission() {
    soumission = false;
    var cache = form.querySelector("input[data-action-soumise]");
    if (cache) { cache.parentNode.removeChild(cache); }
    bloquerBoutons(false);
  }

  // « Enregistrer le brouillon » ou « Soumettre » : une seule fois (boutons désactivés), après le
  // brouillon en route (sa version, reprise dans le champ caché, est celle qu'attend le serveur),
  // et, si la session s'était perdue, après un brouillon qui renouvelle le jeton CSRF.
  function soumettre(ev) {
    if (soumission) { ev.preventDefault(); return; }
    clearTimeout(minuteur);
    garderLocal();
    soumission = true;
    aRefaire = false;
    // Un bouton désactivé ne compte plus dans l'envoi : un champ caché porte son action.
    var bouton = ev.submitter || clique;
    clique = null;
    if (bouton && bouton.name) {
      var cache = document.createElement("input");
      cache.type = "hidden";
      cache.name = bouton.name;
      cache.value = bouton.value;
      cache.setAttribute("data-action-soumise", "");
      form.appendChild(cache);
    }
    bloquerBoutons(true);
    var avant = enCours || (sessionPerdue && !bloque ? envoyer() : null);
    if (!avant) { return; }
    ev.preventDefault();
    dire("Enregistrement du brouillon en cours ; l'envoi du formulaire suit…");
    avant.then(function () {
      if (sessionPerdue) {
        // Toujours sans session : l'envoi n'aboutirait pas ; la saisie reste dans le navigateur.
        annulerSoumission();
        return;
      }
      HTMLFormElement.prototype.submit.call(form);
    });
  }

  function programmer() {
    noteCourante();
    if (lectureSeule) { return; }
    modifie = true;
    garderLocal();
    if (soumission) { return; } // le formulaire part avec cette saisie
    dire("Modifications en cours d'enregistrement…");
    plusTard(DELAI);
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
      plusTard(300);
    }
  }

  form.addEventListener("input", programmer);
  form.addEventListener("change", programmer);
  Array.prototype.forEach.call(boutons, function (b) {
    b.addEventListener("click", function () { clique = b; });
  });
  form.addEventListener("submit", soumettre);
  window.addEventListener("pagehide", function () {
    if (modifie && !lectureSeule && !soumission) { envoyer(true); }
  });
  // Retour à la page depuis le cache du navigateur (bouton « Retour ») : boutons rendus.
  window.addEventListener("pageshow", function (ev) { if (ev.persisted && soumission) { annulerSoumission(); } });
  restaurer();
  noteCourante();
})();
