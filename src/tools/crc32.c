/* CRC-32 (IEEE 802.3, reflected, zlib's crc32): replay session and trace ids (wire-data §13.1). */
#include <string.h>

#include <libnnrp/tools.h>

uint32_t nnrp_replay_crc32(const char *s) {
  uint32_t crc = 0xFFFFFFFFu;
  size_t n = s ? strlen(s) : 0;
  for (size_t i = 0; i < n; i++) {
    crc ^= (uint8_t)s[i];
    for (int k = 0; k < 8; k++) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
  }
  return ~crc;
}
