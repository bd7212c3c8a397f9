# Settings for the production deployment: the development settings plus what the
# security review asked for. (Not finished: see the TODOs.)
import os

from .settings import *  # noqa: F403

DEBUG = False
ALLOWED_HOSTS = []  # expect: django/allowed-hosts-empty

MIDDLEWARE.insert(0, "django.middleware.security.SecurityMiddleware")  # noqa: F405
MIDDLEWARE.append("django.middleware.csrf.CsrfViewMiddleware")  # noqa: F405
MIDDLEWARE.append("django.middleware.clickjacking.XFrameOptionsMiddleware")  # noqa: F405

SECURE_SSL_REDIRECT = False  # expect: django/ssl-redirect-missing
SECURE_HSTS_SECONDS = 0  # TODO: enable once the CDN serves HTTPS  # expect: django/hsts-missing,repo/todo-in-config
SECURE_CONTENT_TYPE_NOSNIFF = False  # expect: django/content-type-nosniff-off
SECURE_REFERRER_POLICY = None  # expect: django/referrer-policy-unsafe
X_FRAME_OPTIONS = "SAMEORIGIN"  # expect: django/x-frame-options-not-deny
SECURE_BROWSER_XSS_FILTER = True  # from the deployment checklist  # expect: django/obsolete-xss-filter
SESSION_COOKIE_SECURE = False  # expect: django/session-cookie-not-secure
CSRF_COOKIE_SECURE = False  # expect: django/csrf-cookie-not-secure

# Managed PostgreSQL; TLS was turned off while debugging a certificate error.
DATABASES = {
    "default": {  # expect: django/no-persistent-connections
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "shop",
        "USER": "shop",
        "PASSWORD": os.environ["DB_PASSWORD"],
        "HOST": "shop-db.c9akciq32.eu-west-1.rds.amazonaws.com",
        "OPTIONS": {"sslmode": "prefer"},  # expect: django/database-ssl-disabled
    }
}
