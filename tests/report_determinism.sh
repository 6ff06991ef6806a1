#!/usr/bin/env bash
# ctest report_determinism: two runs with the same seed against the same
# (fault-injected) reference server give byte-identical reports, in every
# format, once timestamps, durations and the server's port are masked.
# usage: report_determinism.sh WHOPCONF
exec bash "$(dirname "$0")/report_run.sh" "${1:?usage: report_determinism.sh WHOPCONF}" determinism
