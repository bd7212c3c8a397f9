FROM python:3.12
USER app
RUN apt-get update && \
