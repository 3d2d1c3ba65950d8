/* The event loop: epoll for sockets, a list of timers, an eventfd for wakeups and posts. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "io_int.h"

typedef struct post {
  void (*fn)(void *arg);
  void *arg;
  struct post *next;
} post;

typedef struct release {
  void (*fn)(void *);
  void *ptr;
} release;

struct nnrp_loop {
  int epfd;
  nnrpi_watch wake;     /* eventfd */
  nnrpi_timer timers;   /* sentinel of a circular list */
  pthread_mutex_t lock; /* guards posts and stop */
  post *posts, *posts_tail;
  int stop;
  int dispatching;
  release *releases;
  size_t release_count, release_cap;
};

nnrp_tstamp nnrp_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (nnrp_tstamp)ts.tv_sec * 1000000u + (nnrp_tstamp)ts.tv_nsec / 1000u;
}

static void on_wake(nnrpi_watch *w, uint32_t events) {
  (void)events;
  uint64_t v;
  while (read(w->fd, &v, sizeof v) > 0) {
  }
}

int nnrp_loop_new(nnrp_loop **ploop) {
  if (!ploop) return NNRP_ERR_INVALID_ARGUMENT;
  nnrp_loop *l = calloc(1, sizeof *l);
  if (!l) return NNRP_ERR_NOMEM;
  l->epfd = epoll_create1(EPOLL_CLOEXEC);
  int efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (l->epfd < 0 || efd < 0) {
    if (l->epfd >= 0) close(l->epfd);
    if (efd >= 0) close(efd);
    free(l);
    return NNRP_ERR_IO;
  }
  l->timers.prev = l->timers.next = &l->timers;
  l->timers.at = NNRP_TSTAMP_NEVER;
  pthread_mutex_init(&l->lock, NULL);
  l->wake.on_event = on_wake;
  if (nnrpi_watch_add(l, &l->wake, efd, EPOLLIN) != 0) {
    close(efd);
    close(l->epfd);
    free(l);
    return NNRP_ERR_IO;
  }
  *ploop = l;
  return 0;
}

static void run_releases(nnrp_loop *l) {
  /* A released object's free may release more: index, not a cached count. */
  for (size_t i = 0; i < l->release_count; i++) l->releases[i].fn(l->releases[i].ptr);
  l->release_count = 0;
}

static void run_posts(nnrp_loop *l) {
  pthread_mutex_lock(&l->lock);
  post *p = l->posts;
  l->posts = l->posts_tail = NULL;
  pthread_mutex_unlock(&l->lock);
  while (p) {
    post *next = p->next;
    p->fn(p->arg);
    free(p);
    p = next;
  }
}

void nnrp_loop_del(nnrp_loop *l) {
  if (!l) return;
  run_posts(l);
  run_releases(l);
  close(l->wake.fd);
  close(l->epfd);
  pthread_mutex_destroy(&l->lock);
  free(l->releases);
  free(l);
}

int nnrpi_watch_add(nnrp_loop *l, nnrpi_watch *w, int fd, uint32_t events) {
  struct epoll_event ev = {.events = events, .data.ptr = w};
  w->fd = fd;
  w->events = events;
  if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, fd, &ev) != 0) {
    w->fd = -1;
    return NNRP_ERR_IO;
  }
  return 0;
}

int nnrpi_watch_mod(nnrp_loop *l, nnrpi_watch *w, uint32_t events) {
  if (w->fd < 0) return NNRP_ERR_INVALID_STATE;
  if (w->events == events) return 0;
  struct epoll_event ev = {.events = events, .data.ptr = w};
  if (epoll_ctl(l->epfd, EPOLL_CTL_MOD, w->fd, &ev) != 0) return NNRP_ERR_IO;
  w->events = events;
  return 0;
}

void nnrpi_watch_del(nnrp_loop *l, nnrpi_watch *w) {
  if (w->fd < 0) return;
  epoll_ctl(l->epfd, EPOLL_CTL_DEL, w->fd, NULL);
  w->fd = -1;
}

void nnrpi_timer_init(nnrpi_timer *t, void (*on_timer)(nnrpi_timer *t, nnrp_tstamp now)) {
  t->at = NNRP_TSTAMP_NEVER;
  t->on_timer = on_timer;
  t->prev = t->next = NULL;
}

void nnrpi_timer_set(nnrp_loop *l, nnrpi_timer *t, nnrp_tstamp at) {
  if (t->next) { /* unlink */
    t->prev->next = t->next;
    t->next->prev = t->prev;
    t->prev = t->next = NULL;
  }
  t->at = at;
  if (at == NNRP_TSTAMP_NEVER) return;
  t->next = &l->timers;
  t->prev = l->timers.prev;
  l->timers.prev->next = t;
  l->timers.prev = t;
}

/* The earliest armed timer.  A linear scan: a loop carries tens to hundreds of sessions, and
 * each session keeps exactly one timer for all of its deadlines. */
static nnrpi_timer *earliest(nnrp_loop *l) {
  nnrpi_timer *best = NULL;
  for (nnrpi_timer *t = l->timers.next; t != &l->timers; t = t->next)
    if (!best || t->at < best->at) best = t;
  return best;
}

static void run_timers(nnrp_loop *l, nnrp_tstamp now) {
  /* Callbacks re-arm and disarm timers freely: take one due timer at a time. */
  for (int guard = 0; guard < 4096; guard++) {
    nnrpi_timer *t = earliest(l);
    if (!t || t->at > now) return;
    nnrpi_timer_set(l, t, NNRP_TSTAMP_NEVER);
    t->on_timer(t, now);
  }
}

int nnrpi_loop_dispatching(const nnrp_loop *l) {
  return l->dispatching;
}

void nnrpi_loop_release(nnrp_loop *l, void (*fn)(void *), void *ptr) {
  if (l->release_count == l->release_cap) {
    size_t cap = l->release_cap ? l->release_cap * 2 : 16;
    release *r = realloc(l->releases, cap * sizeof *r);
    if (!r) { /* leak rather than free memory an event may still name */
      return;
    }
    l->releases = r;
    l->release_cap = cap;
  }
  l->releases[l->release_count++] = (release){fn, ptr};
}

int nnrp_loop_run_once(nnrp_loop *l, int timeout_ms) {
  if (!l) return NNRP_ERR_INVALID_ARGUMENT;
  if (l->dispatching) return NNRP_ERR_INVALID_STATE;
  nnrp_tstamp now = nnrp_now();
  nnrpi_timer *t = earliest(l);
  int wait = timeout_ms;
  if (t) {
    nnrp_tstamp due = t->at <= now ? 0 : (t->at - now + 999) / 1000;
    if (wait < 0 || due < (nnrp_tstamp)wait) wait = (int)(due > 0x7fffffff ? 0x7fffffff : due);
  }
  pthread_mutex_lock(&l->lock);
  if (l->posts) wait = 0;
  pthread_mutex_unlock(&l->lock);

  struct epoll_event evs[64];
  int n = epoll_wait(l->epfd, evs, 64, wait);
  if (n < 0) {
    if (errno != EINTR) return NNRP_ERR_IO;
    n = 0;
  }
  l->dispatching = 1;
  for (int i = 0; i < n; i++) {
    nnrpi_watch *w = evs[i].data.ptr;
    if (w->fd >= 0) w->on_event(w, evs[i].events);
  }
  run_timers(l, nnrp_now());
  run_posts(l);
  l->dispatching = 0;
  run_releases(l);
  return n;
}

int nnrp_loop_run(nnrp_loop *l) {
  if (!l) return NNRP_ERR_INVALID_ARGUMENT;
  for (;;) {
    pthread_mutex_lock(&l->lock);
    int stop = l->stop;
    l->stop = 0;
    pthread_mutex_unlock(&l->lock);
    if (stop) return 0;
    int rc = nnrp_loop_run_once(l, -1);
    if (rc < 0) return rc;
  }
}

void nnrp_loop_wakeup(nnrp_loop *l) {
  uint64_t one = 1;
  ssize_t rc = write(l->wake.fd, &one, sizeof one);
  (void)rc; /* a full counter already means "awake" */
}

void nnrp_loop_stop(nnrp_loop *l) {
  pthread_mutex_lock(&l->lock);
  l->stop = 1;
  pthread_mutex_unlock(&l->lock);
  nnrp_loop_wakeup(l);
}

int nnrp_loop_post(nnrp_loop *l, void (*fn)(void *arg), void *arg) {
  if (!l || !fn) return NNRP_ERR_INVALID_ARGUMENT;
  post *p = malloc(sizeof *p);
  if (!p) return NNRP_ERR_NOMEM;
  p->fn = fn;
  p->arg = arg;
  p->next = NULL;
  pthread_mutex_lock(&l->lock);
  if (l->posts_tail)
    l->posts_tail->next = p;
  else
    l->posts = p;
  l->posts_tail = p;
  pthread_mutex_unlock(&l->lock);
  nnrp_loop_wakeup(l);
  return 0;
}
