/*
 * Private: parsing one tensor section (section.c), shared by the section-sequence walker
 * (section_seq.c).  Internal non-static functions use the `nnrpi_` prefix so that the symbol
 * version script does not export them.
 */
#ifndef NNRP_SECTION_INT_H
#define NNRP_SECTION_INT_H

#include <libnnrp/wire.h>

/*
 * Validate the section at the start of p[0..avail) with the rules of wire-data §6.2 in the
 * order of §14.1: S1, S13, the strict descriptor bits (non-zero `reserved`, unknown flag bits;
 * skipped under NNRP_DECODE_PY_COMPAT), S2, S3-S8, S9-S12.  On success fills *s and *size
 * (bytes the section occupies, without any padding after it) and returns 0.  On failure
 * returns the error and sets *where to the offset, relative to p, of what broke the rule: the
 * section start, or for S10 the tile's length entry and for S11 the tile's padding.
 */
int nnrpi_section_parse(const uint8_t *p, size_t avail, uint32_t flags, nnrp_section_view *s,
                        size_t *size, size_t *where);

#endif /* NNRP_SECTION_INT_H */
