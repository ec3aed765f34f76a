"""Réglages du projet, lus dans l'environnement (django-environ).

Seules les variables d'environnement diffèrent d'un environnement à l'autre ; les valeurs par
défaut sont celles de la production (DEBUG désactivé, HTTPS exigé). Voir `.env.example`.
"""

from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# Les variables du système l'emportent sur celles du fichier .env (overwrite=False par défaut).
environ.Env.read_env(BASE_DIR / ".env")

DEBUG = env.bool("DEBUG", default=False)

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "La variable d'environnement SECRET_KEY est obligatoire hors DEBUG : "
            "définissez-la (50 caractères aléatoires ou plus) avant de démarrer l'application."
        )
    SECRET_KEY = "demo-locale-uniquement-cette-cle-n-est-jamais-utilisee-en-production"

URL_BASE = env.str("DATABASE_URL", default="")
if not URL_BASE and not DEBUG:
    raise ImproperlyConfigured(
        "La variable d'environnement DATABASE_URL est obligatoire hors DEBUG "
        "(par exemple postgres://utilisateur@hote:5432/base)."
    )
DATABASES = {
    "default": environ.Env.db_url_config(URL_BASE or f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))

ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"] if DEBUG else []
)
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "widget_tweaks",
    "dsfr",
    "django_filters",
    "django_htmx",
    "simple_history",
    "import_export",
    "axes",
    "csp",
    "acv.apps.AcvConfig",
    "candidatures",
    "sites",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "acv.middleware.EnTetesSecuriteMiddleware",  # Permissions-Policy, CORP, pas de cache si connecté
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "acv.middleware.CaracteresNulsMiddleware",  # un caractère nul dans la requête : 400
    "acv.middleware.ExpirationSessionMiddleware",  # après l'authentification et les messages
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",  # en dernier, comme le demande django-axes
]

ROOT_URLCONF = "acv.urls"
WSGI_APPLICATION = "acv.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "acv.context_processors.site",
            ],
        },
    },
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "accueil"
LOGOUT_REDIRECT_URL = "login"

# Sessions en base (aucun état sur le disque d'un worker) ; elles expirent après 2 h d'inactivité.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=2 * 60 * 60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# L'inactivité est mesurée par acv.middleware.ExpirationSessionMiddleware (session glissante).
# Un lien de réinitialisation du mot de passe vaut une heure (3 jours par défaut dans Django).
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_TIMEOUT", default=60 * 60)

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français")]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]

# Pièces déposées : hors de l'arborescence statique publique, jamais servies directement.
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(BASE_DIR / "media")))
MEDIA_STORAGE = env.str("MEDIA_STORAGE", default="local")  # "local" ou "s3"
if MEDIA_STORAGE == "s3":
    _media_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env.str("S3_BUCKET"),
            "endpoint_url": env.str("S3_ENDPOINT_URL", default=None),
            "region_name": env.str("S3_REGION", default=None),
            "access_key": env.str("S3_ACCESS_KEY", default=None),
            "secret_key": env.str("S3_SECRET_KEY", default=None),
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
else:
    _media_storage = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": MEDIA_ROOT, "base_url": None},
    }
STORAGES = {
    "default": _media_storage,
    "staticfiles": {
        "BACKEND": env.str(
            "STATICFILES_BACKEND",
            default="django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage",
        )
    },
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 25 * 1024 * 1024
# Un formulaire dépose au plus quelques pièces à la fois ; Django ne borne pas la taille d'un
# fichier reçu avant de l'écrire en fichier temporaire : le proxy borne le corps des requêtes
# (voir « Déployer » dans le README).
DATA_UPLOAD_MAX_NUMBER_FILES = 20
FILE_UPLOAD_PERMISSIONS = 0o640

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache partagé par tous les workers : une table de la base (`manage.py createcachetable`).
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "acv_cache",
    }
}

# Courriel : EMAIL_URL (smtp://..., consolemail://). Les envois passent par la boîte d'envoi.
EMAIL_CONFIG = env.email_url(
    "EMAIL_URL", default="consolemail://" if DEBUG else "smtp://localhost:25"
)
vars().update(EMAIL_CONFIG)
# Un serveur de courriel injoignable ne bloque pas la requête qui envoie : après ce délai,
# le courriel reste en échec dans la boîte d'envoi, renvoyé plus tard.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
DEFAULT_FROM_EMAIL = env.str(
    "DEFAULT_FROM_EMAIL", default="Au cœur des territoires <ne-pas-repondre@cnam.fr>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Sécurité : derrière un proxy inverse qui termine TLS.
SECURE = env.bool("SECURE", default=not DEBUG)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = SECURE
SESSION_COOKIE_SECURE = SECURE
CSRF_COOKIE_SECURE = SECURE
SECURE_HSTS_SECONDS = 31_536_000 if SECURE else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# Aucun script ne lit le jeton CSRF dans le cookie : il vient du formulaire ({% csrf_token %}).
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
# Un jeton refusé : page en français, ou JSON {"jeton": true} pour les envois en JavaScript.
CSRF_FAILURE_VIEW = "acv.csrf.echec_csrf"
if SECURE:
    # Préfixe __Host- : le navigateur n'accepte le cookie que sécurisé, sans domaine, sur « / ».
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
X_FRAME_OPTIONS = "DENY"

# En-tête du proxy qui porte l'adresse du client (par exemple HTTP_X_FORWARDED_FOR).
CLIENT_IP_HEADER = env.str("CLIENT_IP_HEADER", default="")
PROXY_COUNT = env.int("PROXY_COUNT", default=1 if CLIENT_IP_HEADER else 0)

# django-axes : verrouillage sur le couple identifiant + adresse, pour que personne ne puisse
# verrouiller le compte d'un juré depuis ailleurs.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/verrouillage.html"
AXES_IPWARE_PROXY_COUNT = PROXY_COUNT or None
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    [CLIENT_IP_HEADER, "REMOTE_ADDR"] if CLIENT_IP_HEADER else ["REMOTE_ADDR"]
)
AXES_VERBOSE = False

# Content-Security-Policy (django-csp 4) : aucun script en ligne, tout est servi localement.
from csp.constants import NONCE, NONE, SELF  # noqa: E402

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "frame-src": [SELF],
        "frame-ancestors": [SELF],
        "form-action": [SELF],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}

MESSAGE_TAGS = {10: "info", 20: "info", 25: "success", 30: "warning", 40: "error"}

# Journaux sur la sortie d'erreur (collectés par l'hébergeur). Le journal de sécurité
# (acv.securite : connexions, échecs, déconnexions, sessions expirées, réinitialisations,
# sauvegardes et restaurations ; django.security : requêtes suspectes ; axes : verrouillages)
# est toujours écrit au niveau INFO, quel que soit LOG_LEVEL.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "horodate": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "horodate"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="WARNING")},
    "loggers": {
        "acv.securite": {"level": env.str("SECURITY_LOG_LEVEL", default="INFO")},
        "django.security": {"level": env.str("SECURITY_LOG_LEVEL", default="INFO")},
        "axes": {"level": env.str("SECURITY_LOG_LEVEL", default="INFO")},
    },
}

SITE_TITLE = "Au cœur des territoires"
SITE_TAGLINE = "Cnam — programme Action Cœur de Ville"

# Étapes du jeu de démonstration (manage.py seed_demo), dans l'ordre des dépendances.
DEMO_ETAPES = [
    "acv.demo.comptes",
    "candidatures.demo.vagues",
    "candidatures.demo_jury.jury",
    "candidatures.demo_deliberation.deliberer",
    "candidatures.demo_accompagnement.accompagner",
    "sites.demo.sites",
]
