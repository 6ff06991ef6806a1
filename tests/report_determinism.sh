#!/usr/bin/env bash
# ctest report_determinism: two runs of every case with the same seed, in
# parallel (-j 2), with writes and two accounts, against the same
# (fault-injected) reference server give byte-identical reports, in every
# format, once timestamps, durations and the server's port are masked; the
# update cases put the profile back themselves (no other case sees what they
# wrote) and the profiles are as found afterwards. See report_run.sh.
# usage: report_determinism.sh WHOPCONF
exec bash "$(dirname "$0")/report_run.sh" "${1:?usage: report_determinism.sh WHOPCONF}" determinism
