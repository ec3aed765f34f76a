// Tableau de bord du programme : entonnoir, avancement des objectifs et carte, dessinés en SVG
// à partir des chiffres servis par la vue `tableau_de_bord_donnees`. Sans bibliothèque ni tuiles ;
// les mêmes chiffres sont dans les tableaux de la page pour qui n'a pas JavaScript.
(function () {
  "use strict";
  var racine = document.getElementById("tableau-de-bord");
  if (!racine || !window.fetch) { return; }
  var NS = "http://www.w3.org/2000/svg";

  function el(nom, attributs, parent) {
    var noeud = document.createElementNS(NS, nom);
    Object.keys(attributs || {}).forEach(function (cle) { noeud.setAttribute(cle, attributs[cle]); });
    if (parent) { parent.appendChild(noeud); }
    return noeud;
  }
  function texte(parent, x, y, contenu, classe, ancre) {
    var t = el("text", { x: x, y: y, "class": classe || "tdb-texte", "text-anchor": ancre || "start" }, parent);
    t.textContent = contenu;
    return t;
  }
  function titre(noeud, contenu) {
    var t = el("title", {}, noeud);
    t.textContent = contenu;
  }
  function nouveauSvg(conteneur, largeur, hauteur, etiquette) {
    conteneur.innerHTML = "";
    return el("svg", {
      viewBox: "0 0 " + largeur + " " + hauteur, width: "100%", role: "img",
      "aria-label": etiquette, preserveAspectRatio: "xMidYMid meet"
    }, conteneur);
  }
  function nombre(n) { return Number(n).toLocaleString("fr-FR"); }
  function jour(iso) { return new Date(iso + "T00:00:00Z").getTime(); }
  function dateFr(iso) { var p = iso.split("-"); return p[2] + "/" + p[1] + "/" + p[0]; }

  // --- Entonnoir ------------------------------------------------------------------------------
  function dessinerEntonnoir(conteneur, etapes) {
    var largeur = 720, ligne = 46, marge = 190;
    var svg = nouveauSvg(conteneur, largeur, ligne * etapes.length + 10, "Entonnoir du programme");
    var max = Math.max.apply(null, etapes.map(function (e) { return e.nombre; }).concat([1]));
    etapes.forEach(function (etape, i) {
      var y = 5 + i * ligne;
      var l = Math.max(2, (largeur - marge - 70) * etape.nombre / max);
      texte(svg, marge - 10, y + 26, etape.libelle, "tdb-texte", "end");
      var barre = el("rect", { x: marge, y: y + 6, width: l, height: ligne - 14, "class": "tdb-barre tdb-barre-" + i }, svg);
      titre(barre, etape.libelle + " : " + nombre(etape.nombre));
      var part = etapes[0].nombre ? " (" + Math.round(100 * etape.nombre / etapes[0].nombre) + " %)" : "";
      texte(svg, marge + l + 8, y + 26, nombre(etape.nombre) + (i ? part : ""), "tdb-texte tdb-texte--fort");
    });
  }

  // --- Avancement vers chaque objectif ---------------------------------------------------------
  function dessinerObjectif(conteneur, objectif, ouvertures, aujourdhui) {
    var bloc = document.createElement("figure");
    bloc.className = "tdb-objectif";
    var legende = document.createElement("figcaption");
    legende.textContent = objectif.libelle + " — " + nombre(objectif.sites_ouverts) + " / " +
      nombre(objectif.nombre_sites) + " (" + objectif.pourcentage.toLocaleString("fr-FR") + " %)";
    bloc.appendChild(legende);
    conteneur.appendChild(bloc);

    var L = 460, H = 260, g = 44, d = 16, h = 14, b = 30;
    var svg = nouveauSvg(bloc, L, H, "Ouvertures cumulées contre l'objectif " + objectif.libelle);
    var cle = objectif.acv_seulement ? "cumul_acv" : "cumul";
    var debut = jour(objectif.debut);
    var fin = Math.max(jour(objectif.echeance), jour(aujourdhui));
    var dernier = ouvertures.length ? ouvertures[ouvertures.length - 1][cle] : 0;
    var ymax = Math.max(objectif.nombre_sites, dernier, 1);
    function X(t) { return g + (L - g - d) * (t - debut) / (fin - debut); }
    function Y(v) { return H - b - (H - b - h) * v / ymax; }

    // Axes et graduations : années en abscisse, quarts de la cible en ordonnée.
    el("line", { x1: g, y1: H - b, x2: L - d, y2: H - b, "class": "tdb-axe" }, svg);
    el("line", { x1: g, y1: h, x2: g, y2: H - b, "class": "tdb-axe" }, svg);
    for (var annee = new Date(debut).getUTCFullYear(); annee <= new Date(fin).getUTCFullYear(); annee++) {
      var t = Date.UTC(annee, 0, 1);
      if (t < debut || t > fin) { continue; }
      el("line", { x1: X(t), y1: H - b, x2: X(t), y2: H - b + 4, "class": "tdb-axe" }, svg);
      texte(svg, X(t), H - b + 17, String(annee), "tdb-texte tdb-texte--petit", "middle");
    }
    for (var q = 0; q <= 4; q++) {
      var v = Math.round(ymax * q / 4);
      el("line", { x1: g, y1: Y(v), x2: L - d, y2: Y(v), "class": "tdb-grille" }, svg);
      texte(svg, g - 6, Y(v) + 4, nombre(v), "tdb-texte tdb-texte--petit", "end");
    }
    // La ligne de l'objectif : de 0 au lancement jusqu'à la cible à l'échéance.
    var cible = el("line", {
      x1: X(debut), y1: Y(0), x2: X(jour(objectif.echeance)), y2: Y(objectif.nombre_sites), "class": "tdb-cible"
    }, svg);
    titre(cible, "Objectif : " + nombre(objectif.nombre_sites) + " sites au " + dateFr(objectif.echeance));
    el("circle", { cx: X(jour(objectif.echeance)), cy: Y(objectif.nombre_sites), r: 4, "class": "tdb-cible-point" }, svg);
    // Les ouvertures cumulées, en escalier, jusqu'à aujourd'hui.
    var points = [[X(debut), Y(0)]], courant = 0;
    ouvertures.forEach(function (p) {
      var x = X(Math.max(debut, jour(p.date)));
      points.push([x, Y(courant)]);
      courant = p[cle];
      points.push([x, Y(courant)]);
    });
    points.push([X(jour(aujourdhui)), Y(courant)]);
    var trace = el("polyline", {
      points: points.map(function (p) { return p[0].toFixed(1) + "," + p[1].toFixed(1); }).join(" "),
      "class": "tdb-realise"
    }, svg);
    titre(trace, "Sites ouverts à ce jour : " + nombre(courant));
    texte(svg, L - d, h + 2, "— ouvertures  - - objectif", "tdb-texte tdb-texte--petit", "end");
  }

  // --- Carte ----------------------------------------------------------------------------------
  // Les sites, nombreux, arrivent par colonnes ({nom: [...], statut: [...], ...}) : une ligne par site.
  function enLignes(colonnes) {
    var cles = Object.keys(colonnes), n = cles.length ? colonnes[cles[0]].length : 0, lignes = [];
    for (var i = 0; i < n; i++) {
      var ligne = {};
      for (var k = 0; k < cles.length; k++) { ligne[cles[k]] = colonnes[cles[k]][i]; }
      lignes.push(ligne);
    }
    return lignes;
  }
  function parcourir(coordonnees, f) {
    if (typeof coordonnees[0] === "number") { f(coordonnees); return; }
    coordonnees.forEach(function (c) { parcourir(c, f); });
  }
  function dessinerCarte(conteneur, legende, contours, drom, carte) {
    var lesSites = enLignes(carte.sites);
    var minLon = Infinity, maxLon = -Infinity, minLat = Infinity, maxLat = -Infinity;
    contours.features.forEach(function (f) {
      parcourir(f.geometry.coordinates, function (p) {
        minLon = Math.min(minLon, p[0]); maxLon = Math.max(maxLon, p[0]);
        minLat = Math.min(minLat, p[1]); maxLat = Math.max(maxLat, p[1]);
      });
    });
    // Projection équirectangulaire, corrigée du cosinus de la latitude moyenne : assez juste à l'échelle de la France.
    var k = Math.cos((minLat + maxLat) / 2 * Math.PI / 180);
    var L = 800, marge = 10;
    var echelle = (L - 2 * marge) / ((maxLon - minLon) * k);
    var H = Math.round((maxLat - minLat) * echelle + 2 * marge);
    function projeter(lon, lat) {
      return [marge + (lon - minLon) * k * echelle, marge + (maxLat - lat) * echelle];
    }
    // Un point d'outre-mer est d'abord porté dans son médaillon (drom_insets.json).
    function placer(objet) {
      if (objet.lat === null || objet.lon === null) { return null; }
      var m = drom.insets[objet.departement];
      if (m) { return projeter(m.scale_lon * objet.lon + m.offset_lon, m.scale_lat * objet.lat + m.offset_lat); }
      return projeter(objet.lon, objet.lat);
    }
    var svg = nouveauSvg(conteneur, L, H, "Carte de France des villes ACV et des sites");
    var fond = el("g", { "class": "tdb-departements" }, svg);
    contours.features.forEach(function (f) {
      var polygones = f.geometry.type === "Polygon" ? [f.geometry.coordinates] : f.geometry.coordinates;
      var chemin = "";
      polygones.forEach(function (polygone) {
        polygone.forEach(function (anneau) {
          anneau.forEach(function (p, i) {
            var xy = projeter(p[0], p[1]);
            chemin += (i ? "L" : "M") + xy[0].toFixed(1) + " " + xy[1].toFixed(1);
          });
          chemin += "Z";
        });
      });
      var dep = el("path", { d: chemin, "class": "tdb-departement" }, fond);
      titre(dep, f.properties.nom + " (" + f.properties.code + ")");
    });
    var villes = el("g", {}, svg);
    carte.villes.forEach(function (v) {
      var xy = placer(v);
      if (!xy) { return; }
      var c = el("circle", { cx: xy[0].toFixed(1), cy: xy[1].toFixed(1), r: 3, "class": "tdb-ville tdb-etape-" + v.etape }, villes);
      titre(c, v.nom + " (" + v.id_acv + ") : " + carte.etapes_ville[v.etape]);
    });
    var sites = el("g", {}, svg);
    lesSites.forEach(function (s) {
      var xy = placer(s);
      if (!xy) { return; }
      var r = el("rect", { x: (xy[0] - 4).toFixed(1), y: (xy[1] - 4).toFixed(1), width: 8, height: 8, "class": "tdb-site tdb-statut-" + s.statut }, sites);
      titre(r, s.nom + " : " + carte.statuts_site[s.statut]);
    });
    // Légende en HTML (lisible, zoomable), avec les effectifs.
    var comptes = {};
    carte.villes.forEach(function (v) { comptes["v-" + v.etape] = (comptes["v-" + v.etape] || 0) + 1; });
    lesSites.forEach(function (s) { comptes["s-" + s.statut] = (comptes["s-" + s.statut] || 0) + 1; });
    legende.innerHTML = "";
    function groupe(intitule, valeurs, prefixe, forme) {
      var p = document.createElement("p");
      p.className = "fr-text--sm fr-mb-1w";
      p.appendChild(document.createTextNode(intitule + " : "));
      Object.keys(valeurs).forEach(function (cle) {
        var item = document.createElement("span");
        item.className = "tdb-legende__item";
        var pastille = el("svg", { width: 12, height: 12, viewBox: "0 0 12 12", "aria-hidden": "true" });
        if (forme === "carre") { el("rect", { x: 1, y: 1, width: 10, height: 10, "class": "tdb-site tdb-statut-" + cle }, pastille); }
        else { el("circle", { cx: 6, cy: 6, r: 5, "class": "tdb-ville tdb-etape-" + cle }, pastille); }
        item.appendChild(pastille);
        item.appendChild(document.createTextNode(" " + valeurs[cle] + " (" + (comptes[prefixe + cle] || 0) + ")"));
        p.appendChild(item);
      });
      legende.appendChild(p);
    }
    groupe("Communes des villes ACV", carte.etapes_ville, "v-", "disque");
    groupe("Sites", carte.statuts_site, "s-", "carre");
  }

  function json(url) {
    return fetch(url, { credentials: "same-origin" }).then(function (r) {
      if (!r.ok) { throw new Error(url + " : " + r.status); }
      return r.json();
    });
  }

  json(racine.dataset.donnees).then(function (donnees) {
    dessinerEntonnoir(document.getElementById("graphe-entonnoir"), donnees.entonnoir);
    var graphes = document.getElementById("graphe-objectifs");
    graphes.innerHTML = "";
    donnees.objectifs.forEach(function (o) { dessinerObjectif(graphes, o, donnees.ouvertures, donnees.date); });
    return Promise.all([json(racine.dataset.contours), json(racine.dataset.drom)]).then(function (r) {
      dessinerCarte(document.getElementById("carte"), document.getElementById("carte-legende"),
        r[0], r[1], donnees.carte);
    });
  }).catch(function () {
    var carte = document.getElementById("carte");
    if (carte) { carte.textContent = "La carte n'a pas pu être dessinée ; les chiffres sont dans les tableaux ci-dessous."; }
  });
})();
