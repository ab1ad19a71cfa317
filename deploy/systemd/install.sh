#!/bin/sh
# Installs tierwise on a machine over SSH (docs/deploy.md): the bundle into /opt/tierwise, the chosen
# systemd units, a `tierwise` system user, then enables and starts them.
#
#   npm run build
#   deploy/systemd/install.sh [-p port] [-i identity_file] [-c tierwise.yml] user@host agent [collector probe report]
#
# The machine's host key must already be in your known_hosts (ssh to it once and compare the
# fingerprint): the script never accepts an unknown or changed key. A user other than root needs sudo
# there. Nothing given on the command line is ever put into a command line run by a shell: the user@host,
# port and files go to ssh and scp as single arguments after checking, units must be one of four names,
# and what runs on the machine is the constant remote-install.sh, read from standard input.
set -eu

die() {
  printf 'install.sh: %s\n' "$1" >&2
  exit 2
}

usage() {
  die 'usage: install.sh [-p port] [-i identity_file] [-c tierwise.yml] user@host agent|collector|probe|report...'
}

here=$(cd -P -- "$(dirname -- "$0")" && pwd -P)
root=$(cd -P -- "$here/../.." && pwd -P)

port=22
identity=
config=
while getopts p:i:c: opt; do
  case $opt in
    p) port=$OPTARG ;;
    i) identity=$OPTARG ;;
    c) config=$OPTARG ;;
    *) usage ;;
  esac
done
shift $((OPTIND - 1))
[ $# -ge 2 ] || usage
target=$1
shift

# user@host or host: no option-looking value, no colon (scp would read a path), nothing a shell or ssh
# would interpret. An IPv6 address needs a Host alias in ~/.ssh/config.
case $target in
  '' | -* | *[!A-Za-z0-9._@-]*) die "not a user@host: $target" ;;
esac
case $port in
  '' | *[!0-9]*) die "not a port: $port" ;;
esac
for unit in "$@"; do
  case $unit in
    agent | collector | probe | report) ;;
    *) die "unknown unit: $unit (agent, collector, probe or report)" ;;
  esac
done
if [ -n "$identity" ] && [ ! -r "$identity" ]; then die "cannot read $identity"; fi
if [ -n "$config" ] && [ ! -r "$config" ]; then die "cannot read $config"; fi
for f in "$root/dist/tierwise.mjs" "$root/dist/highs.wasm"; do
  [ -r "$f" ] || die "no $f: run npm run build first"
done

# Host keys checked, no password prompts; every value one argument.
remote() {
  if [ -n "$identity" ]; then
    ssh -o StrictHostKeyChecking=yes -o BatchMode=yes -i "$identity" -p "$port" -- "$target" "$@"
  else
    ssh -o StrictHostKeyChecking=yes -o BatchMode=yes -p "$port" -- "$target" "$@"
  fi
}

copy() {
  if [ -n "$identity" ]; then
    scp -q -o StrictHostKeyChecking=yes -o BatchMode=yes -i "$identity" -P "$port" -- "$@"
  else
    scp -q -o StrictHostKeyChecking=yes -o BatchMode=yes -P "$port" -- "$@"
  fi
}

stage=$(remote mktemp -d)
# The only remote output used again, so it is held to the shape mktemp gives.
case $stage in
  /tmp/tmp.*) ;;
  *) die "unexpected staging directory from the machine: $stage" ;;
esac
case $stage in
  *[!A-Za-z0-9/._]*) die "unexpected staging directory from the machine: $stage" ;;
esac

units=$*
set -- "$root/dist/tierwise.mjs" "$root/dist/highs.wasm" \
  "$here/tierwise-agent.service" "$here/tierwise-collector.service" "$here/tierwise-probe.service" \
  "$here/tierwise-report.service" "$here/tierwise-report.timer"
# The config goes over as tierwise.yml, whatever its name here.
local_stage=$(mktemp -d)
trap 'rm -rf -- "$local_stage"' EXIT
if [ -n "$config" ]; then
  cp -- "$config" "$local_stage/tierwise.yml"
  set -- "$@" "$local_stage/tierwise.yml"
fi
copy "$@" "$target:$stage/"

case $target in
  root@*) privileged='' ;;
  *) privileged='sudo -n' ;;
esac
# $stage and $units passed the checks above: letters, digits, dots, slashes and spaces between names.
# shellcheck disable=SC2086
remote $privileged sh -s -- "$stage" $units < "$here/remote-install.sh"
printf 'installed on %s: %s\n' "$target" "$units"
