/* A slow disk for PostgreSQL, on loopback, without device-mapper or cgroups: loaded with
 * LD_PRELOAD into every process of the fault run, it acts only in processes named "postgres"
 * (the server and its backends, WAL writer, checkpointer) and makes each fsync, fdatasync and
 * sync_file_range — what a commit and a checkpoint wait for — take the milliseconds written in
 * the file $YL_SLOW_DISK_FILE longer (0 or no file: as fast as the disk). Read on every call, so
 * the fault run turns the slowness on and off while the server runs. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

extern char *program_invocation_short_name;

/* Decided when the library loads, before PostgreSQL overwrites its argv with the process
 * title; its forked children inherit it. */
static int in_postgres;

__attribute__((constructor)) static void which_process(void) {
  in_postgres = strcmp(program_invocation_short_name, "postgres") == 0;
}

static void slow(void) {
  if (!in_postgres) return;
  const char *file = getenv("YL_SLOW_DISK_FILE");
  if (file == NULL) return;
  int saved = errno;
  int fd = open(file, O_RDONLY | O_CLOEXEC);
  if (fd >= 0) {
    char text[32] = {0};
    ssize_t n = read(fd, text, sizeof text - 1);
    close(fd);
    long ms = n > 0 ? atol(text) : 0;
    if (ms > 0) {
      struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};
      while (nanosleep(&t, &t) != 0 && errno == EINTR) {
      }
    }
  }
  errno = saved;
}

#define WRAP(ret, name, params, args)                                   \
  ret name params {                                                     \
    static ret (*real) params;                                          \
    if (real == NULL) real = (ret(*) params)dlsym(RTLD_NEXT, #name);    \
    slow();                                                             \
    return real args;                                                   \
  }

WRAP(int, fsync, (int fd), (fd))
WRAP(int, fdatasync, (int fd), (fd))
WRAP(int, sync_file_range, (int fd, off_t offset, off_t nbytes, unsigned int flags), (fd, offset, nbytes, flags))
