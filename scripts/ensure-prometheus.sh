#!/usr/bin/env bash
# Puts Debian's `prometheus` package (prometheus and promtool, 2.42 on bookworm) on this machine
# when promtool is missing: the alert tests (test/ops/promtool.test.ts, test/ops/prometheus.test.ts)
# run both. Only the binaries are used: a policy-rc.d forbids the package's postinst to start a
# service while it installs (and there is no systemd here to start one anyway).
set -euo pipefail
# Test files run side by side may both find it missing: one installs, the other waits for it.
exec 9> /tmp/backoffice-ensure-prometheus.lock
flock 9
if command -v promtool > /dev/null && command -v prometheus > /dev/null; then exit 0; fi
echo "Installing Debian's prometheus package (prometheus, promtool) for the alert tests" >&2
policy=/usr/sbin/policy-rc.d
added_policy=false
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' > "$policy" && chmod +x "$policy" && added_policy=true
fi
trap 'if [ "$added_policy" = true ]; then rm -f "$policy"; fi' EXIT
export DEBIAN_FRONTEND=noninteractive
apt-get install -y --no-install-recommends prometheus > /dev/null 2>&1 \
  || { apt-get update > /dev/null && apt-get install -y --no-install-recommends prometheus > /dev/null; }
