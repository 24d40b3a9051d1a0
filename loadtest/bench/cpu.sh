# Sourced by the benchmark scripts: CPU time a local process has used, read from /proc.

# CPU time (user + system) process $1 has used so far, in microseconds; 0 when there is no such process.
cpu_us() {
  [ -n "$1" ] && [ -r "/proc/$1/stat" ] || { echo 0; return; }
  awk -v hz="$(getconf CLK_TCK)" '{ printf "%d", ($14 + $15) * 1000000 / hz }' "/proc/$1/stat"
}
