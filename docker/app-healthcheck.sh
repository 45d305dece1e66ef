#!/bin/bash
# The app container's health check: healthy when the readiness probe answers UP. bash's /dev/tcp, because
# neither base image is sure to have curl or wget.
exec 3<>/dev/tcp/127.0.0.1/8080 || exit 1
printf 'GET /actuator/health/readiness HTTP/1.0\r\nHost: localhost\r\n\r\n' >&3
grep -q '"status":"UP"' <&3
