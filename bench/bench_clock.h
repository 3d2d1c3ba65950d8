/*
 * Timing helpers shared by the wire benchmark (bench_wire.c) and nnrp bench: a monotonic
 * nanosecond clock and a barrier that keeps the compiler from dropping measured work.
 * The includer defines _POSIX_C_SOURCE (clock_gettime) before its first include.
 */
#ifndef NNRP_BENCH_CLOCK_H
#define NNRP_BENCH_CLOCK_H

#include <stdint.h>
#include <time.h>

/* Make the compiler assume the memory behind p is read (so writes to it are kept). */
#if defined(__GNUC__) || defined(__clang__)
#define KEEP(p) __asm__ volatile("" : : "r"(p) : "memory")
#else
#define KEEP(p) ((void)(p))
#endif

static inline uint64_t bench_now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* CPU time of the whole process (user + system), for CPU utilisation over a measurement. */
static inline uint64_t bench_cpu_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

#endif /* NNRP_BENCH_CLOCK_H */
