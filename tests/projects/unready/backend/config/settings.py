import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent  # expect: django/session-cookie-not-secure

SECRET_KEY = "django-insecure-7f3k2j5h8g9d0s1a"  # expect: django/secret-key-weak
DEBUG = True  # expect: django/debug-enabled
ALLOWED_HOSTS = ["*"]  # expect: django/allowed-hosts-wildcard

INSTALLED_APPS = [  # expect: monitoring/no-error-tracking,monitoring/no-metrics,monitoring/no-health-endpoint
    "django.contrib.admin",  # expect: django/admin-without-2fa
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.staticfiles",
    "corsheaders",
    "rest_framework",  # expect: django/drf-allow-any,django/drf-no-throttling,django/no-api-docs
    "shop",
]

MIDDLEWARE = [  # expect: django/security-middleware-missing,django/clickjacking-middleware-missing
    "corsheaders.middleware.CorsMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
]

CORS_ALLOW_ALL_ORIGINS = True  # expect: django/cors-allow-all

# The validators slowed down the fixtures loader; put them back before launch.
AUTH_PASSWORD_VALIDATORS = []  # expect: django/password-validators-missing

DATABASES = {
    "default": {  # expect: django/no-persistent-connections
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "shop",
        "USER": "shop",
        "PASSWORD": os.environ.get("DB_PASSWORD", "postgres"),
        "HOST": "db",
    }
}

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}  # expect: django/no-cache-backend

STATIC_URL = "/static/"  # expect: django/static-not-on-cdn
STATIC_ROOT = BASE_DIR / "staticfiles"
MEDIA_URL = "/media/"
MEDIA_ROOT = BASE_DIR / "media"  # expect: django/media-on-local-disk

# Turned up while chasing the checkout bug.
LOGGING = {  # expect: logging/not-structured
    "version": 1,
    "formatters": {"simple": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "simple"}},
    "root": {"handlers": ["console"], "level": "DEBUG"},  # expect: logging/debug-log-level
}
