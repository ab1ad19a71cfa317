# Run as root on the machine by install.sh, read from standard input: `sh -s -- <staging dir> <unit>...`.
# Installs what install.sh copied into the staging directory, then enables and (re)starts the units.
set -eu
stage=$1
shift

if [ ! -x /usr/bin/node ]; then
  echo 'tierwise needs Node.js 20 or later at /usr/bin/node (apt-get install nodejs)' >&2
  exit 1
fi
major=$(/usr/bin/node -p 'process.versions.node.split(".")[0]')
if [ "$major" -lt 20 ]; then
  echo "tierwise needs Node.js 20 or later; /usr/bin/node is $major" >&2
  exit 1
fi

if ! id tierwise >/dev/null 2>&1; then
  useradd --system --home-dir /var/lib/tierwise --no-create-home --shell /usr/sbin/nologin tierwise
fi

install -d -m 0755 /opt/tierwise
install -m 0644 "$stage/tierwise.mjs" "$stage/highs.wasm" /opt/tierwise/
install -d -m 0750 -g tierwise /etc/tierwise
if [ -f "$stage/tierwise.yml" ]; then
  install -m 0640 -g tierwise "$stage/tierwise.yml" /etc/tierwise/tierwise.yml
elif [ ! -f /etc/tierwise/tierwise.yml ]; then
  # Every key is optional (docs/configuration.md); the units name the file, so it must exist.
  printf '# tierwise.yml: see docs/configuration.md\n{}\n' > /etc/tierwise/tierwise.yml
  chgrp tierwise /etc/tierwise/tierwise.yml
  chmod 0640 /etc/tierwise/tierwise.yml
fi
install -m 0644 "$stage"/tierwise-*.service "$stage"/tierwise-*.timer /etc/systemd/system/
rm -rf -- "$stage"

systemctl daemon-reload
for unit in "$@"; do
  case $unit in
    report) systemctl enable --now tierwise-report.timer ;;
    *)
      systemctl enable "tierwise-$unit.service"
      systemctl restart "tierwise-$unit.service"
      ;;
  esac
done
