"""Les données ouvertes, publiques : /opendata/sites.csv et /opendata/sites.geojson."""

from django.urls import path

from . import views_opendata

urlpatterns = [
    path("sites.csv", views_opendata.opendata_sites_csv, name="opendata_sites_csv"),
    path("sites.geojson", views_opendata.opendata_sites_geojson, name="opendata_sites_geojson"),
]
