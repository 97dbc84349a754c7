#!/usr/bin/env bash
# with_corpus.sh -- how CTest starts every unit and integration test: the
# shared corpus is $VIGIL_CORPUS as it is when the tests run, else
# ../shared/data beside the source tree ($VIGIL_SOURCE_DIR, set by
# tests/CMakeLists.txt). Usage: with_corpus.sh PROGRAM [ARGS...]
export VIGIL_CORPUS=${VIGIL_CORPUS:-$VIGIL_SOURCE_DIR/../shared/data}
exec "$@"
