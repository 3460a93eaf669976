#!/bin/sh
# firelab guest init. PID 1 in test images (init=/sbin/firelab-init); run
# by firelab-guest.service under systemd in production images. It reads
# this VM's metadata (MMDS V2 at 169.254.169.254), writes a root-only
# gitlab-runner config, runs exactly one job and powers the VM off.
#
# The runner token only ever lives in a 0600 file and in a shell variable
# that is never exported: it must not reach an environment, a command
# line, or the console. Every path ends in power_off, because a guest that
# stays up only holds resources until the host's deadline kills it.

PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export PATH
MMDS=http://169.254.169.254
RUN=/run/firelab
CONFIG=/etc/gitlab-runner/config.toml

# Progress goes to stderr: the console, also from inside $(...).
say() { echo "firelab-guest: $*" >&2; }

power_off() {
  say "powering off"
  sync
  # busybox, because minimal images have no systemd reboot command and
  # -f skips init: nothing in this VM is worth an orderly shutdown.
  busybox reboot -f
  sleep 5
  echo b > /proc/sysrq-trigger
  while :; do sleep 60; done
}

fail() {
  say "error: $*"
  power_off
}

mount_basics() {
  # Only as PID 1: under systemd everything is mounted already.
  [ "$$" = 1 ] || return 0
  mount -t proc proc /proc
  mount -t sysfs sysfs /sys
  grep -q ' /dev ' /proc/mounts || mount -t devtmpfs devtmpfs /dev
  mkdir -p /dev/pts /dev/shm
  mount -t devpts -o gid=5,mode=620 devpts /dev/pts
  mount -t tmpfs -o mode=1777 tmpfs /dev/shm
  mount -t tmpfs -o mode=755 tmpfs /run
  mount -t tmpfs -o mode=1777 tmpfs /tmp
  hostname firelab
}

boot_arg() {
  for arg in $(cat /proc/cmdline); do
    case "$arg" in "$1"=*) echo "${arg#*=}"; return 0 ;; esac
  done
  return 1
}

setup_network() {
  cidr=$(boot_arg firelab.ip) || fail "no firelab.ip= kernel argument"
  gw=$(boot_arg firelab.gw) || fail "no firelab.gw= kernel argument"
  dev=eth0
  # udev may have renamed it on systemd images: take the first non-loopback.
  [ -e /sys/class/net/$dev ] || dev=$(ls /sys/class/net | grep -v '^lo$' | head -n 1)
  [ -n "$dev" ] || fail "no network interface"
  ip link set lo up
  ip link set "$dev" up || fail "cannot bring up $dev"
  ip addr add "$cidr" dev "$dev" || fail "cannot set address $cidr"
  ip route add default via "$gw" dev "$dev" || fail "cannot route via $gw"
  # On Firecracker the metadata address answers on the link itself.
  ip route add 169.254.169.254/32 dev "$dev" || fail "cannot route metadata"
  echo "nameserver $gw" > /etc/resolv.conf
  say "network $dev $cidr via $gw"
}

mmds_session() {
  mkdir -p "$RUN"
  chmod 700 "$RUN"
  mmds_token=$(curl -fsS -m 5 --retry 10 --retry-connrefused --retry-delay 1 \
    -X PUT -H 'X-metadata-token-ttl-seconds: 300' "$MMDS/latest/api/token") ||
    fail "metadata token request failed"
  # The session token goes to curl in a header file, not on its command line.
  printf 'X-metadata-token: %s\n' "$mmds_token" > "$RUN/mmds.header"
  unset mmds_token
}

# mmds_get KEY FILE: the IMDS text value of firelab/KEY into FILE.
mmds_get() {
  curl -fsS -m 5 --retry 3 --retry-connrefused -H "@$RUN/mmds.header" \
    -o "$2" "$MMDS/firelab/$1"
}

read_value() {
  mmds_get "$1" "$RUN/$1" || fail "cannot read metadata key $1"
  cat "$RUN/$1"
}

read_metadata() {
  vm_id=$(read_value vm_id)
  case "$vm_id" in '' | *[!A-Za-z0-9_-]*) fail "bad vm_id" ;; esac
  say "vm $vm_id metadata ok"
  gitlab_url=$(read_value gitlab_url)
  # It is written into TOML below: no quotes, backslashes or spaces.
  case "$gitlab_url" in
    *[!A-Za-z0-9._~:/@%+-]*) fail "bad gitlab_url" ;;
    http://?* | https://?*) ;;
    *) fail "bad gitlab_url" ;;
  esac
  wait_timeout=$(read_value wait_timeout)
  job_timeout=$(read_value job_timeout)
  for n in "$wait_timeout" "$job_timeout"; do
    case "$n" in '' | *[!0-9]*) fail "bad timeout $n" ;; esac
  done
  if mmds_get hosts "$RUN/hosts"; then cat "$RUN/hosts" >> /etc/hosts; fi
  # Egress nat names resolvers out there; else the gateway stays named.
  if mmds_get nameservers "$RUN/nameservers" && [ -s "$RUN/nameservers" ]; then
    servers=$(cat "$RUN/nameservers")
    case "$servers" in *[!0-9.\ ]*) fail "bad nameservers" ;; esac
    for ns in $servers; do echo "nameserver $ns"; done > /etc/resolv.conf
    say "resolvers $servers"
  fi
  mmds_get runner_token "$RUN/runner_token" || fail "cannot read runner token"
  runner_token=$(cat "$RUN/runner_token")
  rm -f "$RUN/runner_token" "$RUN/mmds.header"
  # Likewise the token: only the characters GitLab tokens use.
  case "$runner_token" in '' | *[!A-Za-z0-9_.-]*) fail "bad runner token" ;; esac
}

write_config() {
  mkdir -p /etc/gitlab-runner
  chmod 700 /etc/gitlab-runner
  (
    umask 077
    printf 'concurrent = 1\ncheck_interval = 3\n\n[[runners]]\n'
    printf '  name = "firelab"\n  url = "%s"\n' "$gitlab_url"
    printf '  token = "%s"\n' "$runner_token"
    printf '  executor = "shell"\n  shell = "bash"\n'
    printf '  builds_dir = "/builds"\n  cache_dir = "/cache"\n'
    printf '  clone_url = "%s"\n' "$gitlab_url"
  ) > "$CONFIG.tmp" || fail "cannot write runner config"
  unset runner_token
  chown root:root "$CONFIG.tmp"
  chmod 600 "$CONFIG.tmp"
  mv "$CONFIG.tmp" "$CONFIG"
  mkdir -p /builds /cache
  say "runner config written"
}

run_runner() {
  say "runner starting (wait ${wait_timeout}s, limit ${job_timeout}s)"
  timeout -k 10 "$job_timeout" gitlab-runner run-single -c "$CONFIG" \
    -r firelab --max-builds 1 --wait-timeout "$wait_timeout"
  code=$?
  [ "$code" = 124 ] && say "runner timed out after ${job_timeout}s"
  say "runner exited $code"
}

main() {
  mount_basics
  say "init started"
  setup_network
  mmds_session
  read_metadata
  write_config
  run_runner
  power_off
}

main
