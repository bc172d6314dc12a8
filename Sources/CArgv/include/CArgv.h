// Nothing to import: this target only defines two Swift runtime entry points (see argv.c).
#pragma once
