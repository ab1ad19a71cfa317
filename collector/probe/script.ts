/**
 * The script the SSH probe runs on a target: one constant POSIX sh program that prints the files the
 * agent's collectors read, each after a marker line, so that collector/probe/output.ts can cut them
 * apart and collector/probe/families.ts can turn them into the agent's series with the agent's parsers.
 *
 * Output format (version PROBE_FORMAT): every section is `\n@@tierwise:<key>@@\n` followed by the file
 * exactly as read. The newline before each marker is the script's own, so a file that does not end in
 * one still ends where it ended. The first section is `begin` (its content is the format version), the
 * last is `end`: output without it was cut off. A file that is missing or unreadable gets no section.
 *
 * Rules the script keeps, so that busybox ash, dash and old bash all run it: no bashisms, no `local`,
 * no arrays, no arithmetic, no awk or sed; only `cat`, `df -Pk` and `uname` run as processes, and
 * one-line sysfs attributes are read by the shell's own `read` (no process per file, which matters
 * on a Pentium II). It contains no single quote, so it may be passed as `sh -c '<script>'` as well as
 * on the standard input of `sh -s`. Nothing in it comes from a target's name or configuration.
 *
 * For tests only, TIERWISE_ROOT moves the roots (/proc, /sys, /etc under it), as --path.* does for the
 * agent; `df` and `uname` still describe the machine that runs the script. The probe never sets it.
 */

/** The version the `begin` section carries; output.ts refuses any other. */
export const PROBE_FORMAT = '1';

/**
 * Sensor files of node_exporter's hwmon allowlist (exporters/parsers/hwmon.ts), as shell globs that
 * never match one file twice ("in*" would also match intrusion0_alarm).
 */
const HWMON_GLOBS = [
  'in[0-9]*',
  'cpu[0-9]*',
  'fan*',
  'pwm*',
  'temp*',
  'curr*',
  'power*',
  'energy*',
  'humidity*',
  'intrusion*',
  'freq*',
  'vrm',
  'beep_enable',
  'update_interval',
]
  .map((glob) => `"$d"/${glob}`)
  .join(' ');

const BODY = `LC_ALL=C
export LC_ALL
unset CDPATH
R=\${TIERWISE_ROOT-}

# The marker before each section; the newline before it ends a file that has none.
tw_mark() { printf "\\n@@tierwise:%s@@\\n" "$1"; }
# A whole file (procfs), when readable.
tw_file() { if test -r "$2"; then tw_mark "$1"; cat "$2" 2>/dev/null; fi; }
# A one-line attribute (sysfs), read by the shell; a file that cannot be read gets no section.
tw_attr() {
  tw_v=
  if { IFS= read -r tw_v || test -n "$tw_v"; } 2>/dev/null <"$2"; then tw_mark "$1"; printf "%s\\n" "$tw_v"; fi
}

tw_mark begin
echo ${PROBE_FORMAT}
tw_file stat "$R/proc/stat"
tw_file meminfo "$R/proc/meminfo"
tw_attr min-free-kbytes "$R/proc/sys/vm/min_free_kbytes"
tw_file loadavg "$R/proc/loadavg"
tw_file uptime "$R/proc/uptime"
if test -r "$R/proc/diskstats"; then
  tw_file diskstats "$R/proc/diskstats"
else
  tw_file partitions "$R/proc/partitions"
fi
tw_file net-dev "$R/proc/net/dev"
if test -r "$R/proc/1/mountinfo"; then
  tw_file mountinfo "$R/proc/1/mountinfo"
elif test -r "$R/proc/self/mountinfo"; then
  tw_file mountinfo "$R/proc/self/mountinfo"
else
  tw_file mounts "$R/proc/mounts"
fi

if cd "$R/sys/class/hwmon" 2>/dev/null; then
  tw_mark hwmon
  for c in hwmon*; do
    test -d "$c" || continue
    tw_mark "hwmon/$c"
    tw_attr "hwmon/$c/name" "$c/name"
    dirs=$c
    if cd -P "./$c/device" 2>/dev/null; then
      tw_mark "hwmon/$c/device"
      pwd -P
      cd "$R/sys/class/hwmon" || break
      dirs="$c $c/device"
    fi
    for d in $dirs; do
      for f in ${HWMON_GLOBS}; do
        test -f "$f" && tw_attr "hwmon/$f" "$f"
      done
    done
  done
fi

if cd "$R/sys/class/thermal" 2>/dev/null; then
  tw_mark thermal
  for z in thermal_zone* cooling_device*; do
    test -d "$z" || continue
    tw_mark "thermal/$z"
    for a in type temp mode cur_state max_state; do
      tw_attr "thermal/$z/$a" "$z/$a"
    done
  done
fi
cd /

if test -n "$tw_identity"; then
  tw_mark identity
  tw_file cpuinfo "$R/proc/cpuinfo"
  for o in s n r v m; do
    tw_mark "uname-$o"
    uname -$o 2>/dev/null
  done
  tw_attr hostname "$R/proc/sys/kernel/hostname"
  tw_attr domainname "$R/proc/sys/kernel/domainname"
  if test -r "$R/etc/os-release"; then
    tw_file os-release "$R/etc/os-release"
  else
    tw_file os-release "$R/usr/lib/os-release"
  fi
  tw_attr dt-model "$R/sys/firmware/devicetree/base/model"
  tw_attr dmi/sys_vendor "$R/sys/class/dmi/id/sys_vendor"
  tw_attr dmi/product_name "$R/sys/class/dmi/id/product_name"
  tw_attr cpu-max-freq "$R/sys/devices/system/cpu/cpu0/cpufreq/cpuinfo_max_freq"
  for g in "$R"/proc/driver/nvidia/gpus/*; do
    test -d "$g" && tw_mark "nvidia-gpu/\${g##*/}"
  done
  for g in "$R"/sys/class/drm/card*; do
    test -d "$g" || continue
    n=\${g##*/}
    tw_mark "drm/$n"
    tw_attr "drm/$n/vendor" "$g/device/vendor"
    tw_attr "drm/$n/class" "$g/device/class"
  done
  for g in "$R"/sys/class/power_supply/*; do
    test -d "$g" || continue
    n=\${g##*/}
    tw_mark "power-supply/$n"
    tw_attr "power-supply/$n/type" "$g/type"
    tw_attr "power-supply/$n/scope" "$g/scope"
  done
fi

# Last: a statfs on a dead NFS server can hang df, and everything else is out by then.
tw_mark df
df -Pk 2>/dev/null
tw_mark end
`;

/** The script for every scrape: the per-scrape files (/proc/stat, meminfo, … df). */
export const PROBE_SCRIPT = `tw_identity=\n${BODY}`;

/**
 * The same script, also printing what does not change while a connection lasts (cpuinfo, uname,
 * os-release, host name, board and GPU facts): run it on a connection's first probe and keep its
 * identity sections (identitySections in output.ts) for the later ones.
 */
export const PROBE_SCRIPT_WITH_IDENTITY = `tw_identity=1\n${BODY}`;
