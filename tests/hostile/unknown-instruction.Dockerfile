FROM python:3.12
FROOB something
USER app
