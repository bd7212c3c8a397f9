import environ

env = environ.Env()

DEBUG = True
SECRET_KEY = "django-insecure-base-key-for-local-work"
ALLOWED_HOSTS = ["*"]
INSTALLED_APPS = ["django.contrib.admin", "django.contrib.auth"]
