#!/usr/bin/env bash
# A real single-node Slurm on this machine, for GenLab's cluster tests and for trying the
# Slurm launcher: `scripts/slurm-local.sh start` installs Debian's slurmctld, slurmd,
# slurm-client and munge when missing, writes a minimal slurm.conf (one node with this
# machine's cores and memory, proctrack/linuxproc, no cgroups, no accounting), starts
# munged, slurmctld and slurmd as root without systemd, and waits until `sinfo` reports the
# node idle. `stop` ends only the daemons it started (by the pid files in its folder) and
# removes the configuration it wrote. `status` says whether it runs.
#
# Everything lives in $GENLAB_SLURM_DIR (default /tmp/genlab-slurm); $GENLAB_SLURM_MAX_ARRAY_SIZE
# sets the cluster's MaxArraySize (default 1001, Slurm's), for testing the split of arrays. The configuration is
# written to /etc/slurm/slurm.conf only when that file does not exist (a machine's own Slurm
# is never touched: then start refuses); clients find it there without SLURM_CONF.
set -euo pipefail
dir=${GENLAB_SLURM_DIR:-/tmp/genlab-slurm}
conf=/etc/slurm/slurm.conf
marker="# written by GenLab's scripts/slurm-local.sh"

die() { echo "slurm-local: $*" >&2; exit 1; }

running() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

stop() {
  for pidfile in "$dir/slurmd.pid" "$dir/slurmctld.pid" "$dir/munge/munged.pid"; do
    if running "$pidfile"; then
      pid=$(cat "$pidfile")
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -9 "$pid" 2>/dev/null || true
    fi
    rm -f "$pidfile"
  done
  if [ -f "$conf" ] && head -1 "$conf" | grep -qF "$marker"; then rm -f "$conf"; fi
  echo "slurm-local: stopped"
}

install() {
  command -v slurmctld >/dev/null && command -v slurmd >/dev/null && command -v sbatch >/dev/null \
    && command -v munged >/dev/null && return
  [ "$(id -u)" -eq 0 ] || die "Slurm is not installed and installing it needs root"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq slurmctld slurmd slurm-client munge >/dev/null
}

start() {
  [ "$(id -u)" -eq 0 ] || die "starting the daemons needs root"
  install
  if [ -f "$conf" ] && ! head -1 "$conf" | grep -qF "$marker"; then
    die "$conf exists and was not written by this script: this machine has its own Slurm"
  fi
  if running "$dir/slurmctld.pid" && running "$dir/slurmd.pid"; then
    echo "slurm-local: already running"
    return
  fi
  stop >/dev/null
  mkdir -p "$dir/state" "$dir/spool" "$dir/munge" /run/munge /var/log/munge /var/lib/munge
  chown munge:munge "$dir/munge" /run/munge /var/log/munge /var/lib/munge
  if [ ! -s /etc/munge/munge.key ]; then
    dd if=/dev/urandom of=/etc/munge/munge.key bs=1 count=1024 status=none
    chown munge:munge /etc/munge/munge.key && chmod 400 /etc/munge/munge.key
  fi
  host=$(hostname -s)
  memory=$(( $(awk '/MemTotal/ { print $2 }' /proc/meminfo) / 1024 - 512 ))
  cat >"$conf" <<EOF
$marker; removed by 'scripts/slurm-local.sh stop'
ClusterName=genlab
SlurmctldHost=$host
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/slurmctld.log
SlurmdLogFile=$dir/slurmd.log
ReturnToService=2
MaxArraySize=${GENLAB_SLURM_MAX_ARRAY_SIZE:-1001}
MinJobAge=300
KillWait=10
NodeName=$host CPUs=$(nproc) RealMemory=$memory State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP OverSubscribe=NO
EOF
  # the daemons keep none of this shell's output open (a caller reading it would wait for them)
  runuser -u munge -- /usr/sbin/munged --pid-file="$dir/munge/munged.pid" </dev/null >/dev/null 2>"$dir/munged.err" \
    || die "munged did not start: $(cat "$dir/munged.err")"
  for _ in $(seq 50); do [ -S /run/munge/munge.socket.2 ] && break; sleep 0.1; done
  slurmctld -i -f "$conf" </dev/null >>"$dir/daemons.out" 2>&1 || die "slurmctld did not start: see $dir/slurmctld.log"
  slurmd -f "$conf" </dev/null >>"$dir/daemons.out" 2>&1 || die "slurmd did not start: see $dir/slurmd.log"
  for _ in $(seq 300); do
    if [ "$(sinfo -h -N -o '%t' 2>/dev/null | head -1)" = "idle" ]; then
      echo "slurm-local: node $host idle ($(nproc) CPUs), logs in $dir"
      return
    fi
    sleep 0.1
  done
  die "the node did not become idle within 30 s: $(sinfo -N 2>&1 | tail -1); see $dir/slurmctld.log and $dir/slurmd.log"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status)
    if running "$dir/slurmctld.pid" && running "$dir/slurmd.pid"; then sinfo -N; else echo "slurm-local: not running"; exit 1; fi ;;
  *) echo "usage: scripts/slurm-local.sh start|stop|status" >&2; exit 64 ;;
esac
