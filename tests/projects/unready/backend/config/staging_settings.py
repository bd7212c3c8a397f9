# Staging: production settings with a short HSTS trial.
from .production_settings import *  # noqa: F403

ALLOWED_HOSTS = ["staging.shop.example.com"]
SECURE_HSTS_SECONDS = 3600  # expect: django/hsts-max-age-short,django/hsts-include-subdomains,django/hsts-preload
