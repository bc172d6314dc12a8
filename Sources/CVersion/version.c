// The version in the plugins' "about" line (CNI_COMMAND unset), as the Go plugins print theirs.
//
// This weak definition says "dev". scripts/common.sh build_release (RELEASE_VERSION=...) compiles a strong definition
// returning the release's version into an object of its own and adds it to the link, so a new version costs a
// relink, not a rebuild, and `swift build` never depends on git. Read only when the about line is printed.
#include "CVersion.h"

__attribute__((weak)) const char *swift_cni_plugins_version(void) { return "dev"; }
