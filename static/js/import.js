// Import des candidatures : compte, dans le navigateur, les lignes du fichier choisi et l'annonce
// (« Lecture de N lignes… ») pendant que le serveur travaille. Sans dépendance.
(function () {
  "use strict";

  var VIRGULE = 44, POINT_VIRGULE = 59, GUILLEMET = 34, LF = 10, CR = 13, ESPACE = 32, TAB = 9;

  // Lignes non vides d'un CSV, hors en-tête ; un retour à la ligne entre guillemets ne compte pas.
  function lignesCsv(octets) {
    var lignes = 0, entreGuillemets = false, contenu = false;
    for (var i = 0; i < octets.length; i++) {
      var o = octets[i];
      if (o === GUILLEMET) { entreGuillemets = !entreGuillemets; contenu = true; }
      else if (o === LF && !entreGuillemets) { if (contenu) { lignes++; } contenu = false; }
      else if (o !== CR && o !== VIRGULE && o !== POINT_VIRGULE && o !== ESPACE && o !== TAB) { contenu = true; }
    }
    if (contenu) { lignes++; }
    return Math.max(0, lignes - 1);
  }

  function lireU16(v, p) { return v.getUint16(p, true); }
  function lireU32(v, p) { return v.getUint32(p, true); }

  // La première feuille d'un XLSX (une archive zip) : on lit son répertoire central, puis on
  // décompresse la feuille (DecompressionStream) et on compte ses lignes non vides.
  function lignesXlsx(tampon) {
    var vue = new DataView(tampon);
    var fin = -1;
    for (var p = tampon.byteLength - 22; p >= Math.max(0, tampon.byteLength - 65557); p--) {
      if (lireU32(vue, p) === 0x06054b50) { fin = p; break; }
    }
    if (fin < 0) { return Promise.reject(new Error("zip")); }
    var nb = lireU16(vue, fin + 10), position = lireU32(vue, fin + 16), entrees = [];
    var decodeur = new TextDecoder("utf-8");
    for (var i = 0; i < nb && lireU32(vue, position) === 0x02014b50; i++) {
      var longueurNom = lireU16(vue, position + 28);
      var nom = decodeur.decode(new Uint8Array(tampon, position + 46, longueurNom));
      entrees.push({
        nom: nom,
        methode: lireU16(vue, position + 10),
        taille: lireU32(vue, position + 20),
        local: lireU32(vue, position + 42)
      });
      position += 46 + longueurNom + lireU16(vue, position + 30) + lireU16(vue, position + 32);
    }
    var feuilles = entrees.filter(function (e) { return /^xl\/worksheets\/sheet\d+\.xml$/.test(e.nom); });
    feuilles.sort(function (a, b) { return a.nom.length - b.nom.length || (a.nom < b.nom ? -1 : 1); });
    if (!feuilles.length) { return Promise.reject(new Error("feuille")); }
    var f = feuilles[0];
    var debut = f.local + 30 + lireU16(vue, f.local + 26) + lireU16(vue, f.local + 28);
    var donnees = new Uint8Array(tampon, debut, f.taille);
    var texte;
    if (f.methode === 0) {
      texte = Promise.resolve(decodeur.decode(donnees));
    } else if (f.methode === 8 && typeof DecompressionStream !== "undefined") {
      var flux = new Blob([donnees]).stream().pipeThrough(new DecompressionStream("deflate-raw"));
      texte = new Response(flux).text();
    } else {
      return Promise.reject(new Error("compression"));
    }
    return texte.then(function (xml) {
      var lignes = 0, motif = /<row\b[^>]*>([\s\S]*?)<\/row>/g, trouve;
      while ((trouve = motif.exec(xml)) !== null) {
        if (/<v>|<is>/.test(trouve[1])) { lignes++; }
      }
      return Math.max(0, lignes - 1);
    });
  }

  function compterLignes(fichier) {
    return fichier.arrayBuffer().then(function (tampon) {
      var octets = new Uint8Array(tampon);
      var estZip = octets.length > 4 && octets[0] === 0x50 && octets[1] === 0x4b;
      return estZip ? lignesXlsx(tampon) : lignesCsv(octets);
    });
  }

  function texteLignes(modele, n) {
    return modele.replace("{n}", n.toLocaleString("fr-FR"));
  }

  function brancher(formulaire) {
    var champ = formulaire.querySelector("[data-import-fichier]");
    var etat = formulaire.querySelector("[data-import-etat]");
    var info = formulaire.querySelector("[data-import-info]");
    var bouton = formulaire.querySelector("[data-import-bouton]");
    var modele = formulaire.dataset.messageLecture || "Lecture de {n} lignes…";
    var envoye = false;

    if (champ && info) {
      champ.addEventListener("change", function () {
        info.textContent = "";
        if (!champ.files.length) { return; }
        compterLignes(champ.files[0]).then(function (n) {
          info.textContent = "Ce fichier compte " + n.toLocaleString("fr-FR") + " ligne" + (n > 1 ? "s" : "") + " de candidatures, hors en-tête.";
        }, function () { info.textContent = ""; });
      });
    }

    formulaire.addEventListener("submit", function (evenement) {
      if (envoye) { evenement.preventDefault(); return; }
      if (formulaire.dataset.lignes) {
        envoye = true;
        etat.textContent = texteLignes(modele, parseInt(formulaire.dataset.lignes, 10));
        if (bouton) { bouton.setAttribute("aria-disabled", "true"); }
        return;
      }
      if (!champ || !champ.files.length) { return; }
      evenement.preventDefault();
      envoye = true;
      if (bouton) { bouton.setAttribute("aria-disabled", "true"); }
      etat.textContent = "Lecture du fichier…";
      compterLignes(champ.files[0]).then(function (n) {
        etat.textContent = texteLignes(modele, n);
      }, function () {
        etat.textContent = "Lecture du fichier en cours…";
      }).then(function () {
        // Laisser le navigateur afficher le message avant l'envoi.
        window.setTimeout(function () { formulaire.submit(); }, 50);
      });
    });
  }

  document.querySelectorAll("[data-import-formulaire]").forEach(brancher);
})();
