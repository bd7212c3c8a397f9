# The reporting dashboard: the production settings, plus Prometheus metrics.
from .production_settings import *  # noqa: F403

ALLOWED_HOSTS = ["reports.shop.example.com"]
INSTALLED_APPS += ["django_prometheus"]  # noqa: F405  # expect: django/prometheus-middleware-missing
