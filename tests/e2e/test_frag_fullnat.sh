#!/usr/bin/env bash
# test_frag_nat.sh in FullNAT mode.
# Usage (as root): test_frag_fullnat.sh LVS_XDP_BINARY [BUILD_DIR]
LVS_E2E_FRAG_NAT_MODE=fullnat exec bash "$(dirname "${BASH_SOURCE[0]}")/test_frag_nat.sh" "$@"
