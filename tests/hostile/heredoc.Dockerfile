FROM python:3.12
USER app
RUN <<EOF
set -e
apt-get update
EOF
COPY <<-CONF /etc/app.conf
	key=value
	CONF
RUN <<NEVER
echo never closed
