/* SPDX-License-Identifier: MIT */
#include "table.h"

const char *ml_compression_name(unsigned compression)
{
	switch (compression) {
	case ML_COMP_NONE:
		return "none";
	case ML_COMP_GZIP:
		return "gzip";
	case ML_COMP_XZ:
		return "xz";
	case ML_COMP_ZSTD:
		return "zstd";
	}
	return "unknown";
}
