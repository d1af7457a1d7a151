/* SPDX-License-Identifier: MIT */
/* The words for the table's enumerations, made from their one list in table.h. */
#include "table.h"

#include "array_len.h"

const char *ml_compression_name(unsigned compression)
{
	static const char *const words[] = { ML_COMPRESSIONS(ML_COMP_WORD) };

	return compression < ARRAY_LEN(words) ? words[compression] : "unknown";
}

const char *ml_suffix(unsigned compression)
{
	static const char *const suffixes[] = { ML_COMPRESSIONS(ML_COMP_SUFFIX) };

	return compression < ARRAY_LEN(suffixes) ? suffixes[compression] : "";
}

const char *ml_flag_name(unsigned bit)
{
	static const char *const words[] = { ML_ENTRY_FLAGS(ML_WORD) };

	return bit < ARRAY_LEN(words) ? words[bit] : "unknown";
}
