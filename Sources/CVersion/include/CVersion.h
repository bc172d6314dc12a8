// The release version, stamped by scripts/common.sh build_release (see version.c).
#pragma once

/// The version this binary was built as: "dev" unless a release build linked a stamp.
const char *swift_cni_plugins_version(void);
