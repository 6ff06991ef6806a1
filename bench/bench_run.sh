#!/usr/bin/env bash
# Times a full `whopconf run` against the embedded reference server: the
# whole catalogue, every report format. 5 runs (BENCH_RUNS), medians.
#
#   wall       wall-clock time of the command
#   cpu        user + system time of the run and all its workers
#   peak RSS   the largest resident set of any one process of the run
#              (getrusage RUSAGE_CHILDREN, like /usr/bin/time -v)
#   tree PSS   the largest sum of the proportional set sizes of the run's
#              processes alive at the same moment (sampled every 2 ms from
#              /proc/PID/smaps_rollup): Criterion runs the cases in worker
#              processes next to the parent, and PSS counts the pages they
#              share (libraries, the forked parent) once
#
# usage: bench/bench_run.sh [BUILD_DIR]      (default: build)
# For comparison on this kind of machine: Dredd needs about 0.85 s and
# 120 MB for its 2 transactions against a Prism mock. Goal: well under 1 s
# and under 20 MB.
set -eu
BUILD=${1:-build}
RUNS=${BENCH_RUNS:-5}
WHOPCONF="$BUILD/whopconf"
[ -x "$WHOPCONF" ] || { echo "bench_run: $WHOPCONF not found: build first (make build)" >&2; exit 2; }
command -v python3 >/dev/null || { echo "bench_run: needs python3" >&2; exit 2; }
WORK=$(mktemp -d "${TMPDIR:-/tmp}/whopconf-bench-run.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

python3 - "$WHOPCONF" "$WORK" "$RUNS" <<'PY'
import os, resource, statistics, subprocess, sys, time

whopconf, work, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])

def descendants(pid):
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        try:
            for tid in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{tid}/children") as f:
                    todo.extend(int(c) for c in f.read().split())
        except OSError:
            pass
    return out

def pss_kb(pid):
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0

def one(i, sample):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.monotonic()
    p = subprocess.Popen([whopconf, "run", "--report-dir", f"{work}/r{i}"],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    tree = 0
    while sample and p.poll() is None:
        tree = max(tree, sum(pss_kb(q) for q in descendants(p.pid)))
        time.sleep(0.002)
    p.wait()
    wall = time.monotonic() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    # ru_maxrss of RUSAGE_CHILDREN is the largest of any waited-for process so
    # far; runs only grow it, so the first run gives the true figure and the
    # others an upper bound.
    return p.returncode, wall, cpu, after.ru_maxrss, tree

# The timed runs are not sampled (the sampler would compete for the CPU);
# one more run measures the memory of the whole process tree.
rows = []
for i in range(runs):
    code, wall, cpu, peak, _ = one(i, False)
    rows.append((wall, cpu, peak))
    print(f"run {i + 1}: exit {code}, wall {wall:.3f} s, cpu {cpu:.3f} s, peak RSS {peak / 1024:.1f} MB")
    if code != 0:
        print(f"bench_run: whopconf run exited {code}: the figures are not those of a clean run")
        sys.exit(1)
_, _, _, _, tree = one(runs, True)
med = [statistics.median(c) for c in zip(*rows)]
print(f"whopconf run (embedded server, whole catalogue, all formats), median of {runs}: "
      f"wall {med[0]:.3f} s, cpu {med[1]:.3f} s, peak RSS {med[2] / 1024:.1f} MB (one process); "
      f"tree PSS {tree / 1024:.1f} MB (all processes at once, one sampled run)")
print(f"load average while measuring: {os.getloadavg()[0]:.2f} (figures are only comparable on an idle machine)")
print("reference: Dredd about 0.85 s, 120 MB (2 transactions, Prism mock); goal: < 1 s, < 20 MB")
PY
