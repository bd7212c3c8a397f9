# Staging: production settings with a short HSTS trial.
from .production_settings import *  # noqa: F403

ALLOWED_HOSTS = ["staging.shop.example.com"]
# Long and random, but committed: everyone with the repository can sign staging sessions.
SECRET_KEY = "n8Qw2Zr5Tx9Lb3Vm7Kc1Hy6Gd4Sp0Fj8Ue2Ia5Oz9Xs3Wq7Er1Ty4"  # expect: django/secret-key-hardcoded
SECURE_HSTS_SECONDS = 3600  # expect: django/hsts-max-age-short,django/hsts-include-subdomains,django/hsts-preload
